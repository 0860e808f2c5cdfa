package apierr

import (
	"google.golang.org/grpc/codes"

	"github.com/vif71/vif/platform/resource"
)

// Resource is the rows every service's table starts with: the sentinel errors all domains share
// (platform/resource), each with the code and reason every service gives it. A service's table is
// WithResource of its own rows.
func Resource() []Mapping {
	return []Mapping{
		{Err: resource.ErrNotFound, Code: codes.NotFound, Reason: "NOT_FOUND"},
		{Err: resource.ErrAlreadyExists, Code: codes.AlreadyExists, Reason: "ALREADY_EXISTS"},
		{Err: resource.ErrEtagMismatch, Code: codes.FailedPrecondition, Reason: "ETAG_MISMATCH"},
		{Err: resource.ErrWrongState, Code: codes.FailedPrecondition, Reason: "WRONG_STATE"},
		{Err: resource.ErrPermissionDenied, Code: codes.PermissionDenied, Reason: "OUTSIDE_SCOPE"},
		{Err: resource.ErrDirectoryUnavailable, Code: codes.Unavailable, Reason: "DIRECTORY_UNAVAILABLE"},
		{Err: resource.ErrOrganisationDeleted, Code: codes.FailedPrecondition, Reason: "ORGANISATION_DELETED"},
	}
}

// WithResource returns the shared rows (Resource) followed by a service's own.
func WithResource(own []Mapping) []Mapping { return append(Resource(), own...) }

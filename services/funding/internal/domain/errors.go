package domain

import (
	"errors"

	"github.com/vif71/vif/platform/resource"
)

// The errors of the funding rules besides the allocation's. The gRPC edge maps each to a code and
// a reason (adapters/grpcapi/errors.go); wrap them with the resource name. The first six are the
// platform's, shared by the domains (resource).
var (
	ErrNotFound             = resource.ErrNotFound
	ErrAlreadyExists        = resource.ErrAlreadyExists
	ErrEtagMismatch         = resource.ErrEtagMismatch
	ErrPermissionDenied     = resource.ErrPermissionDenied
	ErrWrongState           = resource.ErrWrongState
	ErrDirectoryUnavailable = resource.ErrDirectoryUnavailable
	// ErrOrganisationDeleted means the directory holds the organisation but it is soft-deleted:
	// records that already name it stay, no new one may.
	ErrOrganisationDeleted = errors.New("the organisation is deleted in the directory: nothing new may refer to it (an admin may undelete it)")
)

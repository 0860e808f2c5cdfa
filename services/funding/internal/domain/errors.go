package domain

import "github.com/vif71/vif/platform/resource"

// The names the funding stores and rules give the platform's shared errors (resource); the rules
// also return resource.ErrEtagMismatch, resource.ErrPermissionDenied,
// resource.ErrDirectoryUnavailable and resource.ErrOrganisationDeleted directly. The gRPC edge
// maps each to a code and a reason (adapters/grpcapi/errors.go); wrap them with the resource name.
var (
	ErrNotFound      = resource.ErrNotFound
	ErrAlreadyExists = resource.ErrAlreadyExists
	ErrWrongState    = resource.ErrWrongState
)

package domain

import "github.com/vif71/vif/platform/resource"

// The names the funding stores and rules give the platform's shared errors (resource); the rules
// also return resource.ErrEtagMismatch, resource.ErrPermissionDenied,
// resource.ErrDirectoryUnavailable and resource.ErrOrganisationDeleted directly. Each carries its
// kind and reason (platform/fault), which the gRPC edge turns into a code and an ErrorInfo; wrap
// them with the resource name.
var (
	ErrNotFound      = resource.ErrNotFound
	ErrAlreadyExists = resource.ErrAlreadyExists
	ErrWrongState    = resource.ErrWrongState
)

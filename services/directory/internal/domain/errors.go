package domain

import (
	"errors"

	"github.com/vif71/vif/platform/resource"
)

// The errors the directory's rules produce. The gRPC edge maps each to a code and a reason
// (adapters/grpcapi/errors.go); wrap them with the resource name so the message says which. The
// rules also return the platform's shared ones directly (resource.ErrEtagMismatch,
// resource.ErrPermissionDenied); the last two below are the stores' names for theirs.
var (
	ErrHasMembers = errors.New("still has members: remove them first")
	// ErrOrganisationDeleted: the organisation is soft-deleted; it may be read, not changed or
	// newly referred to (undelete it first).
	ErrOrganisationDeleted = errors.New("the organisation is deleted: undelete it first")
	// ErrOrganisationNotDeleted: an undelete of an organisation that is not deleted.
	ErrOrganisationNotDeleted = errors.New("the organisation is not deleted")
	ErrNotFound               = resource.ErrNotFound
	ErrAlreadyExists          = resource.ErrAlreadyExists
)

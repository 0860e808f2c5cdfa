package domain

import (
	"github.com/vif71/vif/platform/fault"
	"github.com/vif71/vif/platform/resource"
)

// The errors the directory's rules produce, each with its kind and the reason a client may switch
// on (platform/fault: the gRPC edge turns them into a code and an ErrorInfo); wrap them with the
// resource name so the message says which. The rules also return the platform's shared ones
// directly (resource.ErrEtagMismatch, resource.ErrPermissionDenied); the last two below are the
// stores' names for theirs.
var (
	ErrHasMembers = fault.Precondition("HAS_MEMBERS", "still has members: remove them first")
	// ErrOrganisationDeleted: the organisation is soft-deleted; it may be read, not changed or
	// newly referred to (undelete it first).
	ErrOrganisationDeleted = fault.Precondition("ORGANISATION_DELETED", "the organisation is deleted: undelete it first")
	// ErrOrganisationNotDeleted: an undelete of an organisation that is not deleted.
	ErrOrganisationNotDeleted = fault.Precondition("ORGANISATION_NOT_DELETED", "the organisation is not deleted")
	ErrNotFound               = resource.ErrNotFound
	ErrAlreadyExists          = resource.ErrAlreadyExists
)

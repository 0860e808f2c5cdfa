package domain

import "errors"

// The errors the directory's rules produce. The gRPC edge maps each to a code and a reason
// (adapters/grpcapi/errors.go); wrap them with the resource name so the message says which.
var (
	ErrNotFound         = errors.New("not found")
	ErrAlreadyExists    = errors.New("already exists")
	ErrEtagMismatch     = errors.New("etag does not match the current state: read the resource again and retry")
	ErrHasMembers       = errors.New("still has members: remove them first")
	ErrPermissionDenied = errors.New("permission denied")
	// ErrOrganisationDeleted: the organisation is soft-deleted; it may be read, not changed or
	// newly referred to (undelete it first).
	ErrOrganisationDeleted = errors.New("the organisation is deleted: undelete it first")
	// ErrOrganisationNotDeleted: an undelete of an organisation that is not deleted.
	ErrOrganisationNotDeleted = errors.New("the organisation is not deleted")
)

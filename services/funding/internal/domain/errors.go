package domain

import "errors"

// The errors of the funding rules besides the allocation's. The gRPC edge maps each to a code and
// a reason (adapters/grpcapi/errors.go); wrap them with the resource name.
var (
	ErrNotFound             = errors.New("not found")
	ErrAlreadyExists        = errors.New("already exists")
	ErrEtagMismatch         = errors.New("etag does not match the current state: read the resource again and retry")
	ErrPermissionDenied     = errors.New("permission denied")
	ErrWrongState           = errors.New("not allowed in the current state")
	ErrDirectoryUnavailable = errors.New("the directory service is unavailable; nothing was changed, retry later")
	// ErrOrganisationDeleted means the directory holds the organisation but it is soft-deleted:
	// records that already name it stay, no new one may.
	ErrOrganisationDeleted = errors.New("the organisation is deleted in the directory: nothing new may refer to it (an admin may undelete it)")
)

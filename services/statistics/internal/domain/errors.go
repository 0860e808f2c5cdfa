package domain

import "errors"

// The statistics service's errors. The gRPC edge maps each to a code and a reason; wrap them with
// the resource name.
var (
	ErrNotFound             = errors.New("not found")
	ErrAlreadyExists        = errors.New("already exists")
	ErrPermissionDenied     = errors.New("permission denied")
	ErrDirectoryUnavailable = errors.New("the directory service is unavailable; nothing was changed, retry later")
	// ErrConcurrentRevision means another revision of the same report was submitted at the same
	// moment; the caller may submit again, which makes a further revision.
	ErrConcurrentRevision = errors.New("another revision of this report was submitted at the same time; retry")
	// ErrUnpublishable means disclosure control could not find a safe pattern: nothing is
	// published rather than something unchecked.
	ErrUnpublishable = errors.New("these figures cannot be published safely")
)

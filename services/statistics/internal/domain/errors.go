package domain

import (
	"github.com/vif71/vif/platform/fault"
	"github.com/vif71/vif/platform/resource"
)

// The statistics service's errors, each with its kind and the reason a client may switch on
// (platform/fault: the gRPC edge turns them into a code and an ErrorInfo); wrap them with the
// resource name. The rules also return the platform's shared resource.ErrPermissionDenied and
// resource.ErrDirectoryUnavailable directly; the first two below are the stores' names for theirs.
var (
	ErrNotFound      = resource.ErrNotFound
	ErrAlreadyExists = resource.ErrAlreadyExists
	// ErrConcurrentRevision means another revision of the same report was submitted at the same
	// moment; the caller may submit again, which makes a further revision.
	ErrConcurrentRevision = fault.Aborted("CONCURRENT_REVISION", "another revision of this report was submitted at the same time; retry")
	// ErrUnpublishable means disclosure control could not find a safe pattern: nothing is
	// published rather than something unchecked.
	ErrUnpublishable = fault.Precondition("UNPUBLISHABLE", "these figures cannot be published safely")
	// ErrNothingToPublish means a year's figures are those of its latest release already (or it
	// has none): a publication would record nothing new.
	ErrNothingToPublish = fault.Precondition("NOTHING_TO_PUBLISH", "nothing changed since the latest release: nothing to publish")
)

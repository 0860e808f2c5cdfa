package grpcapi

import (
	"google.golang.org/grpc/codes"

	"github.com/vif71/vif/platform/apierr"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// Errors maps the statistics service's domain errors to gRPC codes and ErrorInfo reasons: the
// platform's shared rows (apierr.Resource), then its own.
var Errors = apierr.WithResource([]apierr.Mapping{
	{Err: domain.ErrConcurrentRevision, Code: codes.Aborted, Reason: "CONCURRENT_REVISION"},
	// A publication refused: the figures as they are now cannot be released (see PublishRelease).
	{Err: domain.ErrUnpublishable, Code: codes.FailedPrecondition, Reason: "UNPUBLISHABLE"},
	{Err: domain.ErrNothingToPublish, Code: codes.FailedPrecondition, Reason: "NOTHING_TO_PUBLISH"},
})

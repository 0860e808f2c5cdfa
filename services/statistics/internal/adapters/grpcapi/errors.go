package grpcapi

import (
	"google.golang.org/grpc/codes"

	"github.com/vif71/vif/platform/apierr"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// Errors maps the statistics service's domain errors to gRPC codes and ErrorInfo reasons.
var Errors = []apierr.Mapping{
	{Err: domain.ErrNotFound, Code: codes.NotFound, Reason: "NOT_FOUND"},
	{Err: domain.ErrAlreadyExists, Code: codes.AlreadyExists, Reason: "ALREADY_EXISTS"},
	{Err: domain.ErrPermissionDenied, Code: codes.PermissionDenied, Reason: "OUTSIDE_SCOPE"},
	{Err: domain.ErrDirectoryUnavailable, Code: codes.Unavailable, Reason: "DIRECTORY_UNAVAILABLE"},
	{Err: domain.ErrConcurrentRevision, Code: codes.Aborted, Reason: "CONCURRENT_REVISION"},
	{Err: domain.ErrUnpublishable, Code: codes.Internal, Reason: "UNPUBLISHABLE"},
}

package grpcapi

import (
	"google.golang.org/grpc/codes"

	"github.com/vif71/vif/platform/apierr"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

// Errors maps the fleet's domain errors to gRPC codes and ErrorInfo reasons.
var Errors = []apierr.Mapping{
	{Err: domain.ErrNotFound, Code: codes.NotFound, Reason: "NOT_FOUND"},
	{Err: domain.ErrAlreadyExists, Code: codes.AlreadyExists, Reason: "ALREADY_EXISTS"},
	{Err: domain.ErrEtagMismatch, Code: codes.FailedPrecondition, Reason: "ETAG_MISMATCH"},
	{Err: domain.ErrWrongState, Code: codes.FailedPrecondition, Reason: "WRONG_STATE"},
	{Err: domain.ErrVehicleTaken, Code: codes.FailedPrecondition, Reason: "VEHICLE_HAS_OPEN_CESSION"},
	{Err: domain.ErrPlateInUse, Code: codes.FailedPrecondition, Reason: "PLATE_IN_USE"},
	{Err: domain.ErrPermissionDenied, Code: codes.PermissionDenied, Reason: "OUTSIDE_SCOPE"},
	{Err: domain.ErrDirectoryUnavailable, Code: codes.Unavailable, Reason: "DIRECTORY_UNAVAILABLE"},
	{Err: domain.ErrOrganisationDeleted, Code: codes.FailedPrecondition, Reason: "ORGANISATION_DELETED"},
}

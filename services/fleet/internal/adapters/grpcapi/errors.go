package grpcapi

import (
	"google.golang.org/grpc/codes"

	"github.com/vif71/vif/platform/apierr"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

// Errors maps the fleet's domain errors to gRPC codes and ErrorInfo reasons: the
// platform's shared rows (apierr.Resource), then its own.
var Errors = apierr.WithResource([]apierr.Mapping{
	{Err: domain.ErrVehicleTaken, Code: codes.FailedPrecondition, Reason: "VEHICLE_HAS_OPEN_CESSION"},
	{Err: domain.ErrPlateInUse, Code: codes.FailedPrecondition, Reason: "PLATE_IN_USE"},
})

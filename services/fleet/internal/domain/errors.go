package domain

import (
	"github.com/vif71/vif/platform/fault"
	"github.com/vif71/vif/platform/resource"
)

// The fleet's errors, each with its kind and the reason a client may switch on (platform/fault:
// the gRPC edge turns them into a code and an ErrorInfo); wrap them with the resource name. The rules also return the platform's shared ones directly (resource.ErrEtagMismatch,
// resource.ErrPermissionDenied, resource.ErrDirectoryUnavailable, resource.ErrOrganisationDeleted);
// the first three below are names the stores and rules use for theirs.
var (
	ErrNotFound      = resource.ErrNotFound
	ErrAlreadyExists = resource.ErrAlreadyExists
	ErrWrongState    = resource.ErrWrongState
	// ErrVehicleTaken means another cession is open for the vehicle: a vehicle has at most one.
	ErrVehicleTaken = fault.Precondition("VEHICLE_HAS_OPEN_CESSION", "the vehicle already has an open cession")
	// ErrPlateInUse means another vehicle the Caf still holds (see VehicleState.Held) carries the
	// plate.
	ErrPlateInUse = fault.Precondition("PLATE_IN_USE", "another vehicle the Caf holds (in service, retired or reserved) carries this plate")
)

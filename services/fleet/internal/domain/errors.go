package domain

import (
	"errors"

	"github.com/vif71/vif/platform/resource"
)

// The fleet's errors. The gRPC edge maps each to a code and a reason; wrap them with the resource
// name. The rules also return the platform's shared ones directly (resource.ErrEtagMismatch,
// resource.ErrPermissionDenied, resource.ErrDirectoryUnavailable, resource.ErrOrganisationDeleted);
// the first three below are names the stores and rules use for theirs.
var (
	ErrNotFound      = resource.ErrNotFound
	ErrAlreadyExists = resource.ErrAlreadyExists
	ErrWrongState    = resource.ErrWrongState
	// ErrVehicleTaken means another cession is open for the vehicle: a vehicle has at most one.
	ErrVehicleTaken = errors.New("the vehicle already has an open cession")
	// ErrPlateInUse means another vehicle the Caf still holds (see VehicleState.Held) carries the
	// plate.
	ErrPlateInUse = errors.New("another vehicle the Caf holds (in service, retired or reserved) carries this plate")
)

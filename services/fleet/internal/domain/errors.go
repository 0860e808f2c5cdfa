package domain

import (
	"errors"

	"github.com/vif71/vif/platform/resource"
)

// The fleet's errors. The gRPC edge maps each to a code and a reason; wrap them with the resource
// name. The first six are the platform's, shared by the domains (resource).
var (
	ErrNotFound             = resource.ErrNotFound
	ErrAlreadyExists        = resource.ErrAlreadyExists
	ErrEtagMismatch         = resource.ErrEtagMismatch
	ErrWrongState           = resource.ErrWrongState
	ErrPermissionDenied     = resource.ErrPermissionDenied
	ErrDirectoryUnavailable = resource.ErrDirectoryUnavailable
	// ErrOrganisationDeleted means the directory holds the organisation but it is soft-deleted:
	// records that already name it stay, no new one may.
	ErrOrganisationDeleted = errors.New("the organisation is deleted in the directory: nothing new may refer to it (an admin may undelete it)")
	// ErrVehicleTaken means another cession is open for the vehicle: a vehicle has at most one.
	ErrVehicleTaken = errors.New("the vehicle already has an open cession")
	// ErrPlateInUse means another vehicle the Caf still holds (see VehicleState.Held) carries the
	// plate.
	ErrPlateInUse = errors.New("another vehicle the Caf holds (in service, retired or reserved) carries this plate")
)

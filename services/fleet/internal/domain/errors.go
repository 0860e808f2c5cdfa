package domain

import "errors"

// The fleet's errors. The gRPC edge maps each to a code and a reason; wrap them with the resource
// name.
var (
	ErrNotFound             = errors.New("not found")
	ErrAlreadyExists        = errors.New("already exists")
	ErrEtagMismatch         = errors.New("etag does not match the current state: read the resource again and retry")
	ErrWrongState           = errors.New("not allowed in the current state")
	ErrPermissionDenied     = errors.New("permission denied")
	ErrDirectoryUnavailable = errors.New("the directory service is unavailable; nothing was changed, retry later")
	// ErrOrganisationDeleted means the directory holds the organisation but it is soft-deleted:
	// records that already name it stay, no new one may.
	ErrOrganisationDeleted = errors.New("the organisation is deleted in the directory: nothing new may refer to it (an admin may undelete it)")
	// ErrVehicleTaken means another cession is open for the vehicle: a vehicle has at most one.
	ErrVehicleTaken = errors.New("the vehicle already has an open cession")
	// ErrPlateInUse means another vehicle the Caf still holds (see VehicleState.Held) carries the
	// plate.
	ErrPlateInUse = errors.New("another vehicle the Caf holds (in service, retired or reserved) carries this plate")
)

package domain

import (
	"testing"

	"github.com/vif71/vif/platform/fault"
	"github.com/vif71/vif/platform/fault/faulttest"
)

// TestErrorReasons: each error the fleet's rules and stores return has the kind and the stable
// reason its clients switch on, and no two of them are one another (each keeps its own at the
// edge).
func TestErrorReasons(t *testing.T) {
	faulttest.CheckReasons(t,
		faulttest.Want("ErrNotFound", ErrNotFound, fault.KindNotFound, "NOT_FOUND"),
		faulttest.Want("ErrAlreadyExists", ErrAlreadyExists, fault.KindAlreadyExists, "ALREADY_EXISTS"),
		faulttest.Want("ErrWrongState", ErrWrongState, fault.KindPrecondition, "WRONG_STATE"),
		faulttest.Want("ErrVehicleTaken", ErrVehicleTaken, fault.KindPrecondition, "VEHICLE_HAS_OPEN_CESSION"),
		faulttest.Want("ErrPlateInUse", ErrPlateInUse, fault.KindPrecondition, "PLATE_IN_USE"),
	)
}

package domain

import (
	"testing"

	"github.com/vif71/vif/platform/fault"
	"github.com/vif71/vif/platform/fault/faulttest"
)

// TestErrorReasons: each error the directory's rules and stores return has the kind and the stable
// reason its clients switch on, and no two of them are one another (each keeps its own at the
// edge).
func TestErrorReasons(t *testing.T) {
	faulttest.CheckReasons(t,
		faulttest.Want("ErrHasMembers", ErrHasMembers, fault.KindPrecondition, "HAS_MEMBERS"),
		faulttest.Want("ErrOrganisationDeleted", ErrOrganisationDeleted, fault.KindPrecondition, "ORGANISATION_DELETED"),
		faulttest.Want("ErrOrganisationNotDeleted", ErrOrganisationNotDeleted, fault.KindPrecondition, "ORGANISATION_NOT_DELETED"),
		faulttest.Want("ErrNotFound", ErrNotFound, fault.KindNotFound, "NOT_FOUND"),
		faulttest.Want("ErrAlreadyExists", ErrAlreadyExists, fault.KindAlreadyExists, "ALREADY_EXISTS"),
	)
}

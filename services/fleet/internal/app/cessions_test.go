package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vif71/vif/services/fleet/internal/domain"
)

// TestOneOpenCessionPerVehicle: while a vehicle has an open cession (proposed or approved), a
// second proposal is ErrVehicleTaken naming the open one, and writes nothing; once the first is
// cancelled the vehicle may be proposed again.
func TestOneOpenCessionPerVehicle(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	v := clio("clio-1", "AB-123-CD")
	v.State, v.RetireDate = domain.Retired, "2026-01-02"
	h.register(v)
	if _, err := h.svc.ProposeCession(ctx, domain.Cession{ID: "c-1", Vehicle: "clio-1", Beneficiary: "garage"}, "2026-01-05"); err != nil {
		t.Fatalf("ProposeCession(c-1) = %v", err)
	}
	for _, open := range []string{"proposed", "approved"} {
		if open == "approved" {
			if _, err := h.svc.ApproveCession(ctx, "c-1", "2026-01-10", ""); err != nil {
				t.Fatalf("ApproveCession(c-1) = %v", err)
			}
		}
		_, err := h.svc.ProposeCession(ctx, domain.Cession{ID: "c-2", Vehicle: "clio-1", Beneficiary: "garage"}, "2026-01-11")
		if !errors.Is(err, domain.ErrVehicleTaken) || !strings.Contains(err.Error(), "vehicles/clio-1 is held by cessions/c-1") {
			t.Errorf("ProposeCession(c-2 while c-1 is %s) = %v; want ErrVehicleTaken naming cessions/c-1", open, err)
		}
		if _, err := h.svc.GetCession(ctx, domain.Actor{}, "c-2"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("GetCession(c-2) after the refusal = %v; want ErrNotFound", err)
		}
	}
	if _, err := h.svc.CancelCession(ctx, "c-1", "withdrawn", "2026-01-12", ""); err != nil {
		t.Fatalf("CancelCession(c-1) = %v", err)
	}
	if _, err := h.svc.ProposeCession(ctx, domain.Cession{ID: "c-2", Vehicle: "clio-1", Beneficiary: "garage"}, "2026-01-13"); err != nil {
		t.Errorf("ProposeCession(c-2 once c-1 is cancelled) = %v; want the vehicle free again", err)
	}
}

package app_test

import (
	"context"
	"testing"

	"github.com/vif71/vif/services/directory/internal/app"
	"github.com/vif71/vif/services/directory/internal/domain"
)

func TestSeedCreatesTheDefaultOrganisationsOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	want := len(app.DefaultOrganisations)

	created, err := f.svc.Seed(ctx, app.DefaultOrganisations)
	if err != nil || !created {
		t.Fatalf("Seed() = %v, %v; want true, nil", created, err)
	}
	for _, so := range app.DefaultOrganisations {
		o, err := f.svc.GetOrganisation(ctx, so.ID)
		if err != nil || o.DisplayName != so.DisplayName || o.Kind != so.Kind || o.Commune != so.Commune || o.Illustrative != so.Illustrative {
			t.Errorf("GetOrganisation(%q) after Seed = %+v, %v; want %+v", so.ID, o, err, so)
		}
	}
	if n := f.count(t, "organisations"); n != want {
		t.Errorf("organisations after Seed = %d; want %d", n, want)
	}
	if n := f.count(t, "outbox"); n != want {
		t.Errorf("outbox after Seed = %d; want %d", n, want)
	}

	if created, err := f.svc.Seed(ctx, app.DefaultOrganisations); err != nil || created {
		t.Errorf("second Seed() = %v, %v; want false, nil", created, err)
	}
	if n := f.count(t, "organisations"); n != want {
		t.Errorf("organisations after a second Seed = %d; want %d", n, want)
	}

	// An organisation an administrator deleted stays deleted.
	deleted := app.DefaultOrganisations[0].ID
	if _, err := f.svc.DeleteOrganisation(ctx, deleted, ""); err != nil {
		t.Fatalf("DeleteOrganisation(%q) = %v", deleted, err)
	}
	if created, err := f.svc.Seed(ctx, app.DefaultOrganisations); err != nil || created {
		t.Errorf("Seed() after a delete = %v, %v; want false, nil", created, err)
	}
	if o, err := f.svc.GetOrganisation(ctx, deleted); err != nil || !o.Deleted() {
		t.Errorf("GetOrganisation(%q) after Seed = %+v, %v; want it still deleted", deleted, o, err)
	}
	if n := f.count(t, "organisations"); n != want {
		t.Errorf("organisations = %d; want %d (a delete keeps the row)", n, want)
	}
}

func TestDefaultOrganisationsAreValid(t *testing.T) {
	// Seed stops at the first invalid organisation; every default must pass the rules.
	f := newFixture(t)
	seen := map[string]bool{}
	for _, so := range app.DefaultOrganisations {
		if seen[so.ID] {
			t.Errorf("DefaultOrganisations repeats %q", so.ID)
		}
		seen[so.ID] = true
		o := domain.Organisation{ID: so.ID, DisplayName: so.DisplayName, Kind: so.Kind, Commune: so.Commune}
		if _, err := f.svc.CreateOrganisation(context.Background(), o); err != nil {
			t.Errorf("CreateOrganisation(%q) = %v", so.ID, err)
		}
	}
}

package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/vif71/vif/services/fleet/internal/domain"
)

var vehicleRuleCases = []contractCase{
	{"a vehicle's retire date is stored, at registration and when it is retired", retireDateStored},
	{"a plate is unique among the vehicles the Caf holds; a ceded or scrapped one frees it", plateUniqueAmongHeld},
}

func retireDateStored(t *testing.T, f *fixture) {
	ctx := context.Background()
	registered := f.vehicle("v-1", domain.Retired)
	registered.RetireDate = "2025-11-30"
	f.register(t, registered)
	if got, err := f.repo.GetVehicle(ctx, "v-1"); err != nil || got.RetireDate != "2025-11-30" {
		t.Errorf("GetVehicle(v-1).RetireDate = %q, %v; want 2025-11-30", got.RetireDate, err)
	}

	f.register(t, f.vehicle("v-2", domain.InService))
	updated, err := f.repo.UpdateVehicle(ctx, "v-2", func(v *domain.Vehicle) ([]*domain.Event, error) {
		v.State, v.RetireDate = domain.Retired, "2026-01-10"
		ev := f.vehicleEvent(domain.VehicleRetired, v, domain.InService)
		f.wrote(ev)
		return []*domain.Event{ev}, nil
	})
	if err != nil || updated.RetireDate != "2026-01-10" {
		t.Fatalf("UpdateVehicle(retire v-2) = %+v, %v; want retire date 2026-01-10", updated, err)
	}
	for _, id := range []string{"v-1", "v-2"} {
		got, err := f.repo.GetVehicle(ctx, id)
		list, _, listErr := f.repo.ListVehicles(ctx, domain.Query{Filters: map[string]string{"state": "RETIRED"}})
		if err != nil || listErr != nil || len(list) != 2 {
			t.Fatalf("GetVehicle(%s), ListVehicles = %v, %v, %d vehicles", id, err, listErr, len(list))
		}
		for _, l := range list {
			if l.ID == id && l.RetireDate != got.RetireDate {
				t.Errorf("ListVehicles: %s retire date %q; GetVehicle says %q", id, l.RetireDate, got.RetireDate)
			}
		}
	}
	if got, _ := f.repo.GetVehicle(ctx, "v-2"); got.RetireDate != "2026-01-10" {
		t.Errorf("GetVehicle(v-2).RetireDate = %q; want 2026-01-10", got.RetireDate)
	}
}

func plateUniqueAmongHeld(t *testing.T, f *fixture) {
	ctx := context.Background()
	const plate = "AB-123-CD"
	withPlate := func(id string, state domain.VehicleState) *domain.Vehicle {
		v := f.vehicle(id, state)
		v.Plate = plate
		return v
	}
	f.register(t, withPlate("held", domain.InService))

	// Every state the Caf holds a vehicle in keeps the plate from another vehicle.
	for _, state := range []domain.VehicleState{domain.InService, domain.Retired} {
		v := withPlate("twin-"+string(state[0:1]), state)
		_, _, err := f.repo.RegisterVehicle(ctx, v, []*domain.Event{f.vehicleEvent(domain.VehicleRegistered, v, "")})
		if !errors.Is(err, domain.ErrPlateInUse) {
			t.Errorf("RegisterVehicle(%s, plate %s held by another) = %v; want ErrPlateInUse", state, plate, err)
		}
	}
	f.register(t, f.vehicle("other", domain.InService))
	_, err := f.repo.UpdateVehicle(ctx, "other", func(v *domain.Vehicle) ([]*domain.Event, error) {
		v.Plate = plate
		return []*domain.Event{f.vehicleEvent(domain.VehicleUpdated, v, v.State)}, nil
	})
	if !errors.Is(err, domain.ErrPlateInUse) {
		t.Errorf("UpdateVehicle(other, plate %s) = %v; want ErrPlateInUse", plate, err)
	}
	if got, _ := f.repo.GetVehicle(ctx, "other"); got.Plate == plate {
		t.Errorf("the refused update was written: plate %s", got.Plate)
	}
	if n := f.count(t, "vehicles", "plate = $1", plate); n != 1 {
		t.Errorf("%d vehicles carry %s; want 1", n, plate)
	}

	// Reserved still holds it: a cession is open.
	f.register(t, withPlate("ceded", domain.Ceded))
	_, err = f.repo.UpdateVehicle(ctx, "ceded", func(v *domain.Vehicle) ([]*domain.Event, error) {
		v.State = domain.Reserved
		return []*domain.Event{f.vehicleEvent(domain.VehicleReserved, v, domain.Ceded)}, nil
	})
	if !errors.Is(err, domain.ErrPlateInUse) {
		t.Errorf("UpdateVehicle(ceded → reserved, plate held by another) = %v; want ErrPlateInUse", err)
	}

	// Scrapping the holder frees the plate for a vehicle the Caf registers next.
	_, err = f.repo.UpdateVehicle(ctx, "held", func(v *domain.Vehicle) ([]*domain.Event, error) {
		v.State = domain.Scrapped
		ev := f.vehicleEvent(domain.VehicleScrapped, v, domain.InService)
		f.wrote(ev)
		return []*domain.Event{ev}, nil
	})
	if err != nil {
		t.Fatalf("UpdateVehicle(scrap held) = %v", err)
	}
	f.register(t, withPlate("next", domain.Retired))
}

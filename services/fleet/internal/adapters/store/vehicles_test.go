package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

var vehicleCases = []contractCase{
	{"register then get gives the vehicle, readings oldest first, times in UTC to the microsecond", registerThenGet},
	{"a repeated vehicle request id returns the first; a taken id or VIN is ErrAlreadyExists", repeatedVehicleRequestID},
	{"a registration without its events is refused and writes nothing", registrationWithoutEvents},
	{"get of a missing vehicle is ErrNotFound", getMissingVehicle},
	{"list vehicles filters by state, make, vin and plate and pages in id order", listVehicles},
	{"update writes the vehicle with its events and keeps the readings in order", updateVehicle},
	{"a failing or eventless update writes nothing; a missing vehicle is not found; a taken VIN is refused", updateRefusals},
}

func registerThenGet(t *testing.T, f *fixture) {
	ctx := context.Background()
	v := f.vehicle("v-1", domain.InService)
	// A caller's clock has nanoseconds and a zone; the store keeps microseconds, in UTC.
	v.CreateTime = v.CreateTime.Add(789 * time.Nanosecond).In(fixedParis)
	v.UpdateTime = v.CreateTime
	v.Readings = []domain.OdometerReading{{Date: "2019-04-23", KM: 12}, {Date: "2020-01-10", KM: 9000}, {Date: "2020-01-10", KM: 9000}, {Date: "2023-06-30", KM: 61234}}
	want := *v
	want.Readings = append([]domain.OdometerReading(nil), v.Readings...)
	want.CreateTime = v.CreateTime.UTC().Truncate(time.Microsecond)
	want.UpdateTime = want.CreateTime
	ev := f.vehicleEvent(domain.VehicleRegistered, v, "")
	got, created, err := f.repo.RegisterVehicle(vehicleRequest("req-1", v), v, []*domain.Event{ev})
	if err != nil || !created || !sameVehicle(got, &want) {
		t.Fatalf("RegisterVehicle = %+v, created %v, %v; want %+v, created", got, created, err, want)
	}
	f.wrote(ev)
	if !sameVehicle(ev.Vehicle, &want) {
		t.Errorf("the event's vehicle = %+v; want what was stored, %+v", ev.Vehicle, want)
	}
	read, err := f.repo.GetVehicle(ctx, "v-1")
	if err != nil || !sameVehicle(read, &want) {
		t.Errorf("GetVehicle(%q) = %+v, %v; want %+v", "v-1", read, err, want)
	}
	// The stored format of the readings is the documented JSON array.
	var readings string
	if err := f.db.QueryRowContext(ctx, `SELECT readings FROM vehicles WHERE id = $1`, "v-1").Scan(&readings); err != nil {
		t.Fatal(err)
	}
	const wantJSON = `[{"date":"2019-04-23","km":12},{"date":"2020-01-10","km":9000},{"date":"2020-01-10","km":9000},{"date":"2023-06-30","km":61234}]`
	if readings != wantJSON {
		t.Errorf("vehicles.readings = %s; want %s", readings, wantJSON)
	}

	// No readings: none read back, and the column holds an empty array.
	bare := f.vehicle("v-2", domain.Retired)
	bare.Readings = nil
	f.register(t, bare)
	if read, err := f.repo.GetVehicle(ctx, "v-2"); err != nil || read.Readings != nil || read.OdometerKM() != 0 {
		t.Errorf("GetVehicle(%q) readings = %v, %v; want none", "v-2", read.Readings, err)
	}
}

func repeatedVehicleRequestID(t *testing.T, f *fixture) {
	first := f.vehicle("v-1", domain.InService)
	ev := f.vehicleEvent(domain.VehicleRegistered, first, "")
	if _, created, err := f.repo.RegisterVehicle(vehicleRequest("req-1", first), first, []*domain.Event{ev}); err != nil || !created {
		t.Fatalf("RegisterVehicle = created %v, %v; want created", created, err)
	}
	f.wrote(ev)

	// The retry of the same request, for which the server chose another id.
	retry := *first
	retry.ID = "v-2"
	got, created, err := f.repo.RegisterVehicle(vehicleRequest("req-1", &retry), &retry, []*domain.Event{f.vehicleEvent(domain.VehicleRegistered, &retry, "")})
	if err != nil || created || !sameVehicle(got, first) {
		t.Errorf("RegisterVehicle(same request) = %+v, created %v, %v; want the first, not created", got, created, err)
	}
	// The same request id with another request (another vehicle) is refused.
	other := f.vehicle("v-2", domain.Retired)
	got, created, err = f.repo.RegisterVehicle(vehicleRequest("req-1", other), other, []*domain.Event{f.vehicleEvent(domain.VehicleRegistered, other, "")})
	if !errors.Is(err, idempotency.ErrRequestIDReused) || created || got != nil {
		t.Errorf("RegisterVehicle(same request id, another vehicle) = %+v, created %v, %v; want ErrRequestIDReused", got, created, err)
	}

	for _, requestID := range []string{"", "req-2"} {
		dup := f.vehicle("v-1", domain.InService)
		dup.VIN = "VF1OTHERVIN000001"
		dup.Plate = "GA-dup-71" // only the id clashes
		_, created, err := f.repo.RegisterVehicle(vehicleRequest(requestID, dup), dup, []*domain.Event{f.vehicleEvent(domain.VehicleRegistered, dup, "")})
		if !errors.Is(err, domain.ErrAlreadyExists) || created {
			t.Errorf("RegisterVehicle(taken id, request %q) = created %v, %v; want ErrAlreadyExists", requestID, created, err)
		}

		sameVIN := f.vehicle("v-3", domain.InService)
		sameVIN.VIN = first.VIN
		_, created, err = f.repo.RegisterVehicle(vehicleRequest(requestID, sameVIN), sameVIN, []*domain.Event{f.vehicleEvent(domain.VehicleRegistered, sameVIN, "")})
		if !errors.Is(err, domain.ErrAlreadyExists) || created || !strings.Contains(err.Error(), first.VIN) {
			t.Errorf("RegisterVehicle(taken VIN, request %q) = created %v, %v; want ErrAlreadyExists naming %s", requestID, created, err, first.VIN)
		}
	}
	if n := f.count(t, "vehicles", ""); n != 1 {
		t.Errorf("vehicles = %d; want 1", n)
	}
}

func registrationWithoutEvents(t *testing.T, f *fixture) {
	for _, events := range [][]*domain.Event{nil, {}, {nil}} {
		v := f.vehicle("v-1", domain.InService)
		if _, created, err := f.repo.RegisterVehicle(vehicleRequest("req-1", v), v, events); err == nil || created {
			t.Errorf("RegisterVehicle(events %v) = created %v, %v; want an error", events, created, err)
		}
	}
	if n := f.count(t, "vehicles", ""); n != 0 {
		t.Errorf("vehicles = %d; want 0", n)
	}
}

func getMissingVehicle(t *testing.T, f *fixture) {
	if _, err := f.repo.GetVehicle(context.Background(), "nowhere"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("GetVehicle(%q) = %v; want ErrNotFound", "nowhere", err)
	}
}

func listVehicles(t *testing.T, f *fixture) {
	specs := []struct {
		id, make string
		state    domain.VehicleState
	}{
		{"v-4", "Peugeot", domain.Retired},
		{"v-1", "Renault", domain.InService},
		{"v-5", "Renault", domain.Retired},
		{"v-3", "Dacia", domain.InService},
		{"v-2", "Renault", domain.Retired},
	}
	for _, s := range specs {
		v := f.vehicle(s.id, s.state)
		v.Make = s.make
		f.register(t, v)
	}
	list := lister[domain.Query, *domain.Vehicle](f.repo.ListVehicles)
	checkList(t, "ListVehicles", list, vehicleIDs, []listTest[domain.Query]{
		{domain.Query{Limit: 10}, []string{"v-1", "v-2", "v-3", "v-4", "v-5"}, 5},
		{domain.Query{}, []string{"v-1", "v-2", "v-3", "v-4", "v-5"}, 5}, // no limit: every row
		{domain.Query{Filters: map[string]string{"state": "RETIRED"}, Limit: 10}, []string{"v-2", "v-4", "v-5"}, 3},
		{domain.Query{Filters: map[string]string{"make": "Renault"}, Limit: 10}, []string{"v-1", "v-2", "v-5"}, 3},
		{domain.Query{Filters: map[string]string{"make": "Renault", "state": "RETIRED"}, Limit: 10}, []string{"v-2", "v-5"}, 2},
		{domain.Query{Filters: map[string]string{"vin": "VF1V-3"}, Limit: 10}, []string{"v-3"}, 1},
		{domain.Query{Filters: map[string]string{"plate": "GA-v-4-71"}, Limit: 10}, []string{"v-4"}, 1},
		{domain.Query{Filters: map[string]string{"make": "Tesla"}, Limit: 10}, nil, 0},
		// The total ignores the resume key.
		{domain.Query{Filters: map[string]string{"state": "RETIRED"}, After: "v-2", Limit: 1}, []string{"v-4"}, 3},
	})
	pageThrough(t, "ListVehicles", list, vehicleIDs, func(after string, limit int) domain.Query {
		return domain.Query{After: after, Limit: limit}
	}, 2, []string{"v-1", "v-2", "v-3", "v-4", "v-5"})
	// What a list gives is what a get gives.
	all, _, err := f.repo.ListVehicles(context.Background(), domain.Query{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range all {
		if read, err := f.repo.GetVehicle(context.Background(), v.ID); err != nil || !sameVehicle(v, read) {
			t.Errorf("listed %+v; GetVehicle = %+v, %v", v, read, err)
		}
	}
}

func updateVehicle(t *testing.T, f *fixture) {
	ctx := context.Background()
	v := f.vehicle("v-1", domain.InService)
	f.register(t, v)
	registered := *v
	var saw domain.Vehicle
	var events []*domain.Event
	got, err := f.repo.UpdateVehicle(ctx, "v-1", func(v *domain.Vehicle) ([]*domain.Event, error) {
		saw = *v
		v.Plate = "GB-512-KL"
		v.Readings = append(v.Readings, domain.OdometerReading{Date: "2026-03-01", KM: 150010})
		v.Revision++
		v.UpdateTime = f.now()
		v.CreateTime = v.UpdateTime // not the closure's to change: the store keeps the first
		events = []*domain.Event{
			f.vehicleEvent(domain.VehicleUpdated, v, ""),
			f.vehicleEvent(domain.VehicleOdometerRecorded, v, ""),
		}
		events[0].UpdateMask = []string{"plate"}
		return events, nil
	})
	if err != nil {
		t.Fatalf("UpdateVehicle = %v", err)
	}
	f.wrote(events...)
	if !sameVehicle(&saw, &registered) {
		t.Errorf("update saw %+v; want the stored vehicle %+v", saw, registered)
	}
	want := registered
	want.Plate, want.Revision = "GB-512-KL", 2
	want.Readings = append(append([]domain.OdometerReading(nil), registered.Readings...), domain.OdometerReading{Date: "2026-03-01", KM: 150010})
	want.UpdateTime = got.UpdateTime
	if !sameVehicle(got, &want) || got.OdometerKM() != 150010 {
		t.Errorf("UpdateVehicle = %+v; want %+v", got, want)
	}
	if read, err := f.repo.GetVehicle(ctx, "v-1"); err != nil || !sameVehicle(read, &want) {
		t.Errorf("GetVehicle = %+v, %v; want %+v", read, err, want)
	}

	// A state change goes through the same door.
	got, err = f.repo.UpdateVehicle(ctx, "v-1", func(v *domain.Vehicle) ([]*domain.Event, error) {
		v.State = domain.Retired
		v.Revision++
		v.UpdateTime = f.now()
		events = []*domain.Event{f.vehicleEvent(domain.VehicleRetired, v, domain.InService)}
		return events, nil
	})
	if err != nil || got.State != domain.Retired || got.Revision != 3 || len(got.Readings) != 3 {
		t.Fatalf("UpdateVehicle(retire) = %+v, %v; want retired at revision 3 with 3 readings", got, err)
	}
	f.wrote(events...)
}

func updateRefusals(t *testing.T, f *fixture) {
	ctx := context.Background()
	v := f.vehicle("v-1", domain.InService)
	f.register(t, v)
	want := *v
	other := f.vehicle("v-2", domain.InService)
	f.register(t, other)

	refusals := []struct {
		name   string
		events func(v *domain.Vehicle) []*domain.Event
		err    error
		is     error
	}{
		{"failing", func(*domain.Vehicle) []*domain.Event { return nil }, errRefused, errRefused},
		{"without events", func(*domain.Vehicle) []*domain.Event { return nil }, nil, nil},
		{"with a nil event", func(*domain.Vehicle) []*domain.Event { return []*domain.Event{nil} }, nil, nil},
	}
	for _, r := range refusals {
		_, err := f.repo.UpdateVehicle(ctx, "v-1", func(v *domain.Vehicle) ([]*domain.Event, error) {
			v.Plate, v.State = "ZZ-999-ZZ", domain.Scrapped
			v.Readings = append(v.Readings, domain.OdometerReading{Date: "2026-03-01", KM: 200000})
			v.Revision++
			return r.events(v), r.err
		})
		if err == nil || (r.is != nil && !errors.Is(err, r.is)) {
			t.Errorf("UpdateVehicle(%s) = %v; want an error", r.name, err)
		}
	}
	if read, err := f.repo.GetVehicle(ctx, "v-1"); err != nil || !sameVehicle(read, &want) {
		t.Errorf("GetVehicle after refusals = %+v, %v; want unchanged %+v", read, err, want)
	}

	called := false
	if _, err := f.repo.UpdateVehicle(ctx, "nowhere", func(*domain.Vehicle) ([]*domain.Event, error) {
		called = true
		return nil, nil
	}); !errors.Is(err, domain.ErrNotFound) || called {
		t.Errorf("UpdateVehicle(%q) = %v, update called %v; want ErrNotFound, not called", "nowhere", err, called)
	}

	_, err := f.repo.UpdateVehicle(ctx, "v-1", func(v *domain.Vehicle) ([]*domain.Event, error) {
		v.VIN = other.VIN
		v.Revision++
		return []*domain.Event{f.vehicleEvent(domain.VehicleUpdated, v, "")}, nil
	})
	if !errors.Is(err, domain.ErrAlreadyExists) || !strings.Contains(err.Error(), other.VIN) {
		t.Errorf("UpdateVehicle(VIN of v-2) = %v; want ErrAlreadyExists naming %s", err, other.VIN)
	}
	if read, err := f.repo.GetVehicle(ctx, "v-1"); err != nil || !sameVehicle(read, &want) {
		t.Errorf("GetVehicle after the VIN refusal = %+v, %v; want unchanged %+v", read, err, want)
	}
}

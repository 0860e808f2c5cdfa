package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

var cessionCases = []contractCase{
	{"propose hands the closure the stored vehicle; cession, reserved vehicle and events land together", proposeLandsTogether},
	{"propose for a missing vehicle is ErrNotFound naming it, without calling propose", proposeMissingVehicle},
	{"a failing or eventless proposal writes nothing", failingProposal},
	{"a repeated cession request id returns the first without calling propose; a taken id is ErrAlreadyExists", repeatedCessionRequestID},
	{"a second open cession is ErrVehicleTaken without calling propose, until the first is closed", secondOpenCession},
	{"the database itself admits one open cession per vehicle, whatever the states", databaseAdmitsOneOpenCession},
	{"transitions write the cession and its vehicle with their events up to the declaration", transitionsPersistBoth},
	{"a failing or eventless transition writes nothing; a missing cession is ErrNotFound", failingTransition},
	{"a transition that opens a cession again beside another open one is ErrVehicleTaken", reopeningBesideOpenCession},
}

func proposeLandsTogether(t *testing.T, f *fixture) {
	ctx := context.Background()
	v := f.vehicle("v-1", domain.Retired)
	f.register(t, v)
	registered := *v
	c := f.cession("c-1", "v-1", "org-plie", "PLIE")
	c.CreateTime = c.CreateTime.Add(321 * time.Nanosecond).In(fixedParis)
	c.UpdateTime = c.CreateTime
	want := *c
	want.CreateTime = c.CreateTime.UTC().Truncate(time.Microsecond)
	want.UpdateTime = want.CreateTime

	var saw domain.Vehicle
	var events []*domain.Event
	propose := f.proposal(c, &events)
	got, created, err := f.repo.ProposeCession(cessionRequest("req-1", c), c, func(v *domain.Vehicle, _ string) ([]*domain.Event, error) {
		saw = *v
		return propose(v, "")
	})
	if err != nil || !created || !sameCession(got, &want) {
		t.Fatalf("ProposeCession = %+v, created %v, %v; want %+v, created", got, created, err, want)
	}
	f.wrote(events...)
	if !sameVehicle(&saw, &registered) {
		t.Errorf("propose saw %+v; want the stored vehicle %+v", saw, registered)
	}
	if read, err := f.repo.GetCession(ctx, "c-1"); err != nil || !sameCession(read, &want) {
		t.Errorf("GetCession(%q) = %+v, %v; want %+v", "c-1", read, err, want)
	}
	if !sameCession(events[0].Cession, &want) {
		t.Errorf("the event's cession = %+v; want what was stored, %+v", events[0].Cession, want)
	}
	read, err := f.repo.GetVehicle(ctx, "v-1")
	if err != nil || read.State != domain.Reserved || read.Revision != 2 || !sameVehicle(read, events[1].Vehicle) {
		t.Errorf("GetVehicle(%q) = %+v, %v; want reserved at revision 2, as its event says", "v-1", read, err)
	}
	if n := f.openCessions(t, "v-1"); n != 1 {
		t.Errorf("open cessions of v-1 = %d; want 1", n)
	}
}

func proposeMissingVehicle(t *testing.T, f *fixture) {
	called := false
	c := f.cession("c-1", "nowhere", "org-plie", "PLIE")
	_, created, err := f.repo.ProposeCession(cessionRequest("req-1", c), c, func(*domain.Vehicle, string) ([]*domain.Event, error) {
		called = true
		return nil, errRefused
	})
	if !errors.Is(err, domain.ErrNotFound) || created || called || !strings.Contains(err.Error(), "vehicles/nowhere") {
		t.Errorf("ProposeCession(vehicle %q) = created %v, %v, propose called %v; want ErrNotFound naming vehicles/nowhere, not called",
			"nowhere", created, err, called)
	}
	if n := f.count(t, "cessions", ""); n != 0 {
		t.Errorf("cessions = %d; want 0", n)
	}
}

func failingProposal(t *testing.T, f *fixture) {
	ctx := context.Background()
	v := f.vehicle("v-1", domain.Retired)
	f.register(t, v)
	want := *v
	refusals := []struct {
		name   string
		events func(c *domain.Cession, v *domain.Vehicle) []*domain.Event
		err    error
	}{
		{"failing", func(c *domain.Cession, v *domain.Vehicle) []*domain.Event {
			return []*domain.Event{f.cessionEvent(domain.CessionProposed, c, "")}
		}, errRefused},
		{"without events", func(*domain.Cession, *domain.Vehicle) []*domain.Event { return nil }, nil},
		{"with a nil event", func(c *domain.Cession, _ *domain.Vehicle) []*domain.Event {
			return []*domain.Event{f.cessionEvent(domain.CessionProposed, c, ""), nil}
		}, nil},
	}
	for i, r := range refusals {
		c := f.cession(fmt.Sprintf("c-%d", i), "v-1", "org-plie", "PLIE")
		_, created, err := f.repo.ProposeCession(cessionRequest(fmt.Sprintf("req-%d", i), c), c, func(v *domain.Vehicle, _ string) ([]*domain.Event, error) {
			v.State = domain.Reserved
			v.Revision++
			return r.events(c, v), r.err
		})
		if err == nil || created || (r.err != nil && !errors.Is(err, r.err)) {
			t.Errorf("ProposeCession(%s) = created %v, %v; want an error", r.name, created, err)
		}
	}
	if n := f.count(t, "cessions", ""); n != 0 {
		t.Errorf("cessions = %d; want 0", n)
	}
	if read, err := f.repo.GetVehicle(ctx, "v-1"); err != nil || !sameVehicle(read, &want) {
		t.Errorf("GetVehicle after refusals = %+v, %v; want unchanged %+v", read, err, want)
	}
}

func repeatedCessionRequestID(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.register(t, f.vehicle("v-1", domain.Retired))
	f.register(t, f.vehicle("v-2", domain.Retired))
	first := f.cession("c-1", "v-1", "org-plie", "PLIE")
	var events []*domain.Event
	if _, created, err := f.repo.ProposeCession(cessionRequest("req-1", first), first, f.proposal(first, &events)); err != nil || !created {
		t.Fatalf("ProposeCession = created %v, %v; want created", created, err)
	}
	f.wrote(events...)

	// A retry of the same request (the server chose another id) gets the first back.
	retry := f.cession("c-2", "v-1", "org-plie", "PLIE")
	called := false
	got, created, err := f.repo.ProposeCession(cessionRequest("req-1", retry), retry, func(*domain.Vehicle, string) ([]*domain.Event, error) {
		called = true
		return nil, errRefused
	})
	if err != nil || created || called || !sameCession(got, first) {
		t.Errorf("ProposeCession(same request) = %+v, created %v, %v, propose called %v; want the first, not called", got, created, err, called)
	}
	// The same request id naming another vehicle is another request: refused, not answered
	// with the first cession.
	other := f.cession("c-3", "v-2", "org-plie", "PLIE")
	got, created, err = f.repo.ProposeCession(cessionRequest("req-1", other), other, func(*domain.Vehicle, string) ([]*domain.Event, error) {
		called = true
		return nil, errRefused
	})
	if !errors.Is(err, idempotency.ErrRequestIDReused) || created || called || got != nil {
		t.Errorf("ProposeCession(same request id, another vehicle) = %+v, created %v, %v, propose called %v; want ErrRequestIDReused, not called", got, created, err, called)
	}

	// The same cession id for the other vehicle: taken, with or without a request id.
	for _, requestID := range []string{"", "req-2"} {
		dup := f.cession("c-1", "v-2", "org-plie", "PLIE")
		var evs []*domain.Event
		if _, created, err := f.repo.ProposeCession(cessionRequest(requestID, dup), dup, f.proposal(dup, &evs)); !errors.Is(err, domain.ErrAlreadyExists) || created {
			t.Errorf("ProposeCession(%q, request %q) = created %v, %v; want ErrAlreadyExists", dup.ID, requestID, created, err)
		}
	}
	if n := f.count(t, "cessions", ""); n != 1 {
		t.Errorf("cessions = %d; want 1", n)
	}
	if read, err := f.repo.GetVehicle(ctx, "v-2"); err != nil || read.State != domain.Retired || read.Revision != 1 {
		t.Errorf("GetVehicle(%q) = %+v, %v; want retired at revision 1, untouched", "v-2", read, err)
	}
}

func secondOpenCession(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.register(t, f.vehicle("v-1", domain.Retired))
	f.propose(t, f.cession("c-1", "v-1", "org-plie", "PLIE"))

	for i, open := range []step{nil, approve("2026-01-10")} {
		if open != nil {
			f.transition(t, "c-1", open)
		}
		// The store hands the closure the vehicle's open cession; the app's proposal refuses it
		// (domain.VehicleFree), naming it.
		saw := ""
		var events []*domain.Event
		second := f.cession(fmt.Sprintf("c-2%d", i), "v-1", "org-iscg", "ISCG")
		_, created, err := f.repo.ProposeCession(ctx, second, func(v *domain.Vehicle, open string) ([]*domain.Event, error) {
			saw = open
			return f.proposal(second, &events)(v, open)
		})
		if !errors.Is(err, domain.ErrVehicleTaken) || created || saw != "c-1" || !strings.Contains(err.Error(), "cessions/c-1") {
			t.Errorf("ProposeCession(second, first %s) = created %v, %v, propose handed open cession %q; want ErrVehicleTaken naming cessions/c-1, handed c-1",
				[]string{"proposed", "approved"}[i], created, err, saw)
		}
		// A closure that would approve anything: the database refuses it.
		third := f.cession(fmt.Sprintf("c-3%d", i), "v-1", "org-iscg", "ISCG")
		_, created, err = f.repo.ProposeCession(ctx, third, func(v *domain.Vehicle, _ string) ([]*domain.Event, error) {
			return []*domain.Event{f.cessionEvent(domain.CessionProposed, third, "")}, nil
		})
		if !errors.Is(err, domain.ErrVehicleTaken) || created {
			t.Errorf("ProposeCession(third ignoring the open cession, first %s) = created %v, %v; want ErrVehicleTaken",
				[]string{"proposed", "approved"}[i], created, err)
		}
	}
	if n := f.count(t, "cessions", ""); n != 1 {
		t.Errorf("cessions = %d; want 1", n)
	}

	// Once the first is cancelled the vehicle is free again.
	f.transition(t, "c-1", cancel("2026-01-20"))
	f.propose(t, f.cession("c-3", "v-1", "org-iscg", "ISCG"))
	if n := f.openCessions(t, "v-1"); n != 1 {
		t.Errorf("open cessions of v-1 = %d; want 1", n)
	}
}

// databaseAdmitsOneOpenCession writes cessions behind the store's back, so that only the schema
// stands between a vehicle and two open cessions: for every pair of states, a second cession is
// refused exactly when both are open (domain.CessionState.Open).
func databaseAdmitsOneOpenCession(t *testing.T, f *fixture) {
	ctx := context.Background()
	insert := func(id, vehicle string, state domain.CessionState) error {
		_, err := f.db.ExecContext(ctx, `INSERT INTO cessions (id, vehicle, beneficiary, beneficiary_kind, state, revision, create_time, update_time)
			VALUES ($1, $2, 'org-plie', 'PLIE', $3, 1, $4, $4)`, id, vehicle, string(state), f.now())
		return err
	}
	for i, first := range domain.CessionStates {
		for j, second := range domain.CessionStates {
			vehicle := fmt.Sprintf("v-%d-%d", i, j)
			if _, err := f.db.ExecContext(ctx, `INSERT INTO vehicles (id, vin, state, revision, create_time, update_time)
				VALUES ($1, $2, 'RETIRED', 1, $3, $3)`, vehicle, "VIN-"+vehicle, f.now()); err != nil {
				t.Fatal(err)
			}
			if err := insert(vehicle+"-a", vehicle, first); err != nil {
				t.Fatalf("insert a %s cession = %v", first, err)
			}
			err := insert(vehicle+"-b", vehicle, second)
			if refused, wantRefused := err != nil, first.Open() && second.Open(); refused != wantRefused {
				t.Errorf("a %s cession beside a %s one: insert = %v; want refused %v", second, first, err, wantRefused)
			}
		}
	}
}

func transitionsPersistBoth(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.register(t, f.vehicle("v-1", domain.Retired))
	f.propose(t, f.cession("c-1", "v-1", "org-plie", "PLIE"))

	var sawVehicle domain.Vehicle
	var events []*domain.Event
	approveChange := f.change(approve("2026-01-12"), &events)
	got, err := f.repo.TransitionCession(ctx, "c-1", func(c *domain.Cession, v *domain.Vehicle) ([]*domain.Event, error) {
		sawVehicle = *v
		return approveChange(c, v)
	})
	if err != nil || got.State != domain.Approved || got.ApproveDate != "2026-01-12" || got.Revision != 2 {
		t.Fatalf("TransitionCession(approve) = %+v, %v; want approved at revision 2", got, err)
	}
	f.wrote(events...)
	if sawVehicle.ID != "v-1" || sawVehicle.State != domain.Reserved {
		t.Errorf("change saw vehicle %+v; want v-1, reserved", sawVehicle)
	}

	handed := f.transition(t, "c-1", handOver("2026-02-03", 150123))
	wantHandover := &domain.Handover{
		Date:  "2026-02-03",
		Place: "Mâcon, parvis de la Caf",
		Officials: []domain.Official{
			{Name: "Claire Martin", Title: "Directrice de la Caf"},
			{Name: "Ahmed Benali", Title: "Président du PLIE"},
			{Name: "Jeanne Roux", Title: "Maire"},
		},
		OdometerKM:           150123,
		CertificateReference: "15776*03-c-1",
	}
	read, err := f.repo.GetCession(ctx, "c-1")
	if err != nil || !sameCession(read, handed) || read.DeclarationDeadline != "2026-02-18" || read.HandoverDate() != "2026-02-03" {
		t.Errorf("GetCession after handover = %+v, %v; want %+v", read, err, handed)
	}
	if err == nil && (read.Handover == nil || !reflect.DeepEqual(read.Handover, wantHandover)) {
		t.Errorf("handover read back = %+v; want %+v, officials in order", read.Handover, wantHandover)
	}
	v, err := f.repo.GetVehicle(ctx, "v-1")
	if err != nil || v.State != domain.Ceded || v.OdometerKM() != 150123 || len(v.Readings) != 3 || v.Revision != 3 {
		t.Errorf("GetVehicle after handover = %+v, %v; want ceded at revision 3, the handover's reading last", v, err)
	}

	declared := f.transition(t, "c-1", declare("2026-02-10"))
	if read, err := f.repo.GetCession(ctx, "c-1"); err != nil || !sameCession(read, declared) || read.State != domain.Declared || read.Revision != 4 {
		t.Errorf("GetCession after declaration = %+v, %v; want %+v", read, err, declared)
	}
	if n := f.openCessions(t, "v-1"); n != 0 {
		t.Errorf("open cessions of v-1 = %d; want 0", n)
	}

	// A handover without officials reads back without them, not with an empty list.
	f.register(t, f.vehicle("v-2", domain.Retired))
	f.propose(t, f.cession("c-2", "v-2", "org-plie", "PLIE"))
	f.transition(t, "c-2", approve("2026-01-12"))
	bare := f.transition(t, "c-2", func(c *domain.Cession, v *domain.Vehicle) []domain.EventType {
		types := handOver("2026-02-04", 99000)(c, v)
		c.Handover.Officials = nil
		return types
	})
	if read, err := f.repo.GetCession(ctx, "c-2"); err != nil || !sameCession(read, bare) || read.Handover.Officials != nil {
		t.Errorf("GetCession(c-2) = %+v, %v; want %+v without officials", read, err, bare)
	}
}

func failingTransition(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.register(t, f.vehicle("v-1", domain.Retired))
	c := f.cession("c-1", "v-1", "org-plie", "PLIE")
	f.propose(t, c)
	f.transition(t, "c-1", approve("2026-01-12"))
	wantCession, err := f.repo.GetCession(ctx, "c-1")
	if err != nil {
		t.Fatal(err)
	}
	wantVehicle, err := f.repo.GetVehicle(ctx, "v-1")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		name string
		keep func([]*domain.Event) ([]*domain.Event, error)
	}{
		{"failing", func(evs []*domain.Event) ([]*domain.Event, error) { return evs, errRefused }},
		{"without events", func([]*domain.Event) ([]*domain.Event, error) { return nil, nil }},
		{"with a nil event", func(evs []*domain.Event) ([]*domain.Event, error) { return append(evs, nil), nil }},
	} {
		var events []*domain.Event
		handover := f.change(handOver("2026-02-03", 150123), &events)
		_, err := f.repo.TransitionCession(ctx, "c-1", func(c *domain.Cession, v *domain.Vehicle) ([]*domain.Event, error) {
			evs, _ := handover(c, v)
			return r.keep(evs)
		})
		if err == nil {
			t.Errorf("TransitionCession(%s) = nil error; want an error", r.name)
		}
	}
	if read, err := f.repo.GetCession(ctx, "c-1"); err != nil || !sameCession(read, wantCession) {
		t.Errorf("GetCession after refusals = %+v, %v; want unchanged %+v", read, err, wantCession)
	}
	if read, err := f.repo.GetVehicle(ctx, "v-1"); err != nil || !sameVehicle(read, wantVehicle) {
		t.Errorf("GetVehicle after refusals = %+v, %v; want unchanged %+v", read, err, wantVehicle)
	}

	called := false
	if _, err := f.repo.TransitionCession(ctx, "nowhere", func(*domain.Cession, *domain.Vehicle) ([]*domain.Event, error) {
		called = true
		return nil, nil
	}); !errors.Is(err, domain.ErrNotFound) || called {
		t.Errorf("TransitionCession(%q) = %v, change called %v; want ErrNotFound, not called", "nowhere", err, called)
	}
}

func reopeningBesideOpenCession(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.register(t, f.vehicle("v-1", domain.Retired))
	f.propose(t, f.cession("c-1", "v-1", "org-plie", "PLIE"))
	f.transition(t, "c-1", cancel("2026-01-20"))
	f.propose(t, f.cession("c-2", "v-1", "org-iscg", "ISCG"))
	cancelled, err := f.repo.GetCession(ctx, "c-1")
	if err != nil {
		t.Fatal(err)
	}
	// Only the schema stands in the way: no use case reopens a cession.
	_, err = f.repo.TransitionCession(ctx, "c-1", func(c *domain.Cession, v *domain.Vehicle) ([]*domain.Event, error) {
		c.State, c.EndDate, c.EndReason = domain.Proposed, "", ""
		c.Revision++
		return []*domain.Event{f.cessionEvent(domain.CessionProposed, c, domain.Cancelled)}, nil
	})
	if !errors.Is(err, domain.ErrVehicleTaken) || !strings.Contains(err.Error(), "vehicles/v-1") {
		t.Errorf("TransitionCession(reopen c-1) = %v; want ErrVehicleTaken naming vehicles/v-1", err)
	}
	if read, err := f.repo.GetCession(ctx, "c-1"); err != nil || !sameCession(read, cancelled) {
		t.Errorf("GetCession(c-1) = %+v, %v; want unchanged %+v", read, err, cancelled)
	}
	if n := f.openCessions(t, "v-1"); n != 1 {
		t.Errorf("open cessions of v-1 = %d; want 1", n)
	}
}

package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/vif71/vif/services/fleet/internal/domain"
)

var concurrencyCases = []contractCase{
	{"20 concurrent proposals for one retired vehicle make one open cession, five times over", concurrentProposalsForOneVehicle},
	{"10 concurrent proposals with one request id make one cession, and every caller gets it, five times over", concurrentProposalsWithOneRequestID},
	{"10 concurrent registrations with one request id make one vehicle, and every caller gets it", concurrentRegistrationsWithOneRequestID},
	{"proposals racing a cancellation never hold two open cessions and never deadlock", proposalsRacingCancellation},
}

// race runs n calls at once: every goroutine is started and waiting at a barrier before any is
// let go, so that the calls reach the database together rather than in launch order.
func race(n int, call func(i int)) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		ready.Add(1)
		done.Go(func() {
			ready.Done()
			<-start
			call(i)
		})
	}
	ready.Wait()
	close(start)
	done.Wait()
}

// proposed is what one ProposeCession call gave.
type proposed struct {
	cession *domain.Cession
	created bool
	err     error
	events  []*domain.Event
}

// refusals sorts the losers of a race: the clear refusals, and anything else.
type refusals struct {
	taken, wrongState int
	other             []error
}

func (r *refusals) add(err error) {
	switch {
	case errors.Is(err, domain.ErrVehicleTaken):
		r.taken++
	case errors.Is(err, domain.ErrWrongState):
		r.wrongState++
	default:
		r.other = append(r.other, err)
	}
}

func concurrentProposalsForOneVehicle(t *testing.T, f *fixture) {
	ctx := context.Background()
	const rounds, proposers = 5, 20
	for round := range rounds {
		vehicle := fmt.Sprintf("v-%d", round)
		f.register(t, f.vehicle(vehicle, domain.Retired))
		results := make([]proposed, proposers)
		race(proposers, func(i int) {
			c := f.cession(fmt.Sprintf("c-%d-%02d", round, i), vehicle, "org-plie", "PLIE")
			var events []*domain.Event
			got, created, err := f.repo.ProposeCession(cessionRequest(fmt.Sprintf("req-%d-%02d", round, i), c), c, f.proposal(c, &events))
			results[i] = proposed{got, created, err, events}
		})

		var winners []proposed
		var lost refusals
		for i, r := range results {
			switch {
			case r.err == nil && r.created:
				winners = append(winners, r)
			case r.err == nil:
				t.Errorf("round %d: ProposeCession #%d = not created, nil error; want created or a refusal", round, i)
			default:
				lost.add(r.err)
			}
		}
		t.Logf("round %d: %d created, %d ErrVehicleTaken, %d ErrWrongState", round, len(winners), lost.taken, lost.wrongState)
		if len(winners) != 1 || lost.taken+lost.wrongState != proposers-1 || len(lost.other) > 0 {
			t.Fatalf("round %d: %d created, %d ErrVehicleTaken, %d ErrWrongState, other errors %v; want 1 created and %d clear refusals",
				round, len(winners), lost.taken, lost.wrongState, lost.other, proposers-1)
		}
		win := winners[0]
		f.wrote(win.events...)

		if n := f.openCessions(t, vehicle); n != 1 {
			t.Errorf("round %d: open cessions of %s = %d; want 1", round, vehicle, n)
		}
		if n := f.count(t, "cessions", "vehicle = $1", vehicle); n != 1 {
			t.Errorf("round %d: cessions of %s = %d; want 1", round, vehicle, n)
		}
		if n := f.count(t, "outbox", "subject = $1", subjectPrefix+string(domain.CessionProposed)); n != round+1 {
			t.Errorf("round %d: cession.proposed events = %d; want %d, one per round", round, n, round+1)
		}
		if read, err := f.repo.GetCession(ctx, win.cession.ID); err != nil || !sameCession(read, win.cession) {
			t.Errorf("round %d: GetCession(%q) = %+v, %v; want the winner %+v", round, win.cession.ID, read, err, win.cession)
		}
		if v, err := f.repo.GetVehicle(ctx, vehicle); err != nil || v.State != domain.Reserved || v.Revision != 2 {
			t.Errorf("round %d: GetVehicle(%q) = %+v, %v; want reserved once, at revision 2", round, vehicle, v, err)
		}
	}
}

func concurrentProposalsWithOneRequestID(t *testing.T, f *fixture) {
	const rounds, callers = 5, 10
	for round := range rounds {
		vehicle, requestID := fmt.Sprintf("v-%d", round), fmt.Sprintf("req-shared-%d", round)
		f.register(t, f.vehicle(vehicle, domain.Retired))
		results := make([]proposed, callers)
		race(callers, func(i int) {
			// Each retry of the call made its own cession id; the request id is what they share.
			c := f.cession(fmt.Sprintf("c-%d-%02d", round, i), vehicle, "org-plie", "PLIE")
			var events []*domain.Event
			got, created, err := f.repo.ProposeCession(cessionRequest(requestID, c), c, f.proposal(c, &events))
			results[i] = proposed{got, created, err, events}
		})
		var winner *proposed
		for i := range results {
			if r := &results[i]; r.err == nil && r.created {
				if winner != nil {
					t.Fatalf("round %d: ProposeCession created both %q and %q; want one", round, winner.cession.ID, r.cession.ID)
				}
				winner = r
			}
		}
		if winner == nil {
			t.Fatalf("round %d: no ProposeCession created the cession: %+v", round, results)
		}
		f.wrote(winner.events...)
		for i, r := range results {
			if r.err != nil || !sameCession(r.cession, winner.cession) {
				t.Errorf("round %d: ProposeCession #%d = %+v, %v; want the winner %+v", round, i, r.cession, r.err, winner.cession)
			}
		}
		if n := f.count(t, "cessions", "vehicle = $1", vehicle); n != 1 {
			t.Errorf("round %d: cessions of %s = %d; want 1", round, vehicle, n)
		}
	}
}

func concurrentRegistrationsWithOneRequestID(t *testing.T, f *fixture) {
	const callers = 10
	type registered struct {
		vehicle *domain.Vehicle
		created bool
		err     error
		event   *domain.Event
	}
	results := make([]registered, callers)
	race(callers, func(i int) {
		// Each retry of the call made its own vehicle id; the request is what they share.
		v := f.vehicle("v-shared", domain.InService)
		v.ID = fmt.Sprintf("v-%02d", i)
		ev := f.vehicleEvent(domain.VehicleRegistered, v, "")
		got, created, err := f.repo.RegisterVehicle(vehicleRequest("req-shared", v), v, []*domain.Event{ev})
		results[i] = registered{got, created, err, ev}
	})
	var winner *registered
	for i := range results {
		if r := &results[i]; r.err == nil && r.created {
			if winner != nil {
				t.Fatalf("RegisterVehicle created both %q and %q; want one", winner.vehicle.ID, r.vehicle.ID)
			}
			winner = r
		}
	}
	if winner == nil {
		t.Fatalf("no RegisterVehicle created the vehicle: %+v", results)
	}
	f.wrote(winner.event)
	for i, r := range results {
		if r.err != nil || !sameVehicle(r.vehicle, winner.vehicle) {
			t.Errorf("RegisterVehicle #%d = %+v, %v; want the winner %+v", i, r.vehicle, r.err, winner.vehicle)
		}
	}
	if n := f.count(t, "vehicles", ""); n != 1 {
		t.Errorf("vehicles = %d; want 1", n)
	}
}

// proposalsRacingCancellation releases a reserved vehicle while proposals for it arrive: a
// proposal may win only after the cancellation, the vehicle never holds two open cessions, and on
// PostgreSQL the lock order (vehicle, then cession) leaves no cycle to deadlock on.
func proposalsRacingCancellation(t *testing.T, f *fixture) {
	ctx := context.Background()
	const rounds, proposers = 3, 10
	for round := range rounds {
		vehicle := fmt.Sprintf("v-%d", round)
		f.register(t, f.vehicle(vehicle, domain.Retired))
		first := fmt.Sprintf("c-%d-first", round)
		f.propose(t, f.cession(first, vehicle, "org-plie", "PLIE"))

		var cancelEvents []*domain.Event
		var cancelErr error
		results := make([]proposed, proposers)
		race(proposers+1, func(i int) {
			if i == proposers {
				_, cancelErr = f.repo.TransitionCession(ctx, first, f.change(cancel("2026-01-20"), &cancelEvents))
				return
			}
			c := f.cession(fmt.Sprintf("c-%d-%02d", round, i), vehicle, "org-iscg", "ISCG")
			var events []*domain.Event
			got, created, err := f.repo.ProposeCession(ctx, c, f.proposal(c, &events))
			results[i] = proposed{got, created, err, events}
		})
		if cancelErr != nil {
			t.Fatalf("round %d: TransitionCession(cancel) = %v", round, cancelErr)
		}
		f.wrote(cancelEvents...) // a proposal can only have won after it
		var winners []proposed
		var lost refusals
		for _, r := range results {
			if r.err == nil && r.created {
				winners = append(winners, r)
				f.wrote(r.events...)
				continue
			}
			lost.add(r.err)
		}
		t.Logf("round %d: %d created after the cancellation, %d ErrVehicleTaken, %d ErrWrongState", round, len(winners), lost.taken, lost.wrongState)
		if len(winners) > 1 || len(lost.other) > 0 {
			t.Fatalf("round %d: %d created, other errors %v; want at most one, and only clear refusals", round, len(winners), lost.other)
		}
		if n := f.openCessions(t, vehicle); n != len(winners) {
			t.Errorf("round %d: open cessions of %s = %d; want %d", round, vehicle, n, len(winners))
		}
	}
}

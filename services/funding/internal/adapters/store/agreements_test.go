package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/services/funding/internal/domain"
)

var agreementCases = []contractCase{
	{"create agreement hands check its plan, or nil when the plan is missing", createAgreementHandsCheckPlan},
	{"a second agreement for one plan is seen taken by check and refused by the store", secondAgreementForPlan},
	{"a repeated agreement request id returns the first; a taken id is ErrAlreadyExists", repeatedAgreementRequestID},
	{"list agreements filters by state, year and post and pages in id order", listAgreements},
	{"signing writes the agreement and opens its contributions with one event", signingOpensContributions},
	{"a failing signature leaves neither the new state nor contributions", failingSignature},
	{"a contribution the store cannot insert undoes the whole signature", signatureUndoneByDuplicateContribution},
	{"transition of a missing agreement is ErrNotFound without calling change", transitionMissingAgreement},
	{"concurrent agreements for one plan make one", concurrentAgreementsForOnePlan},
}

// planned stores the fixture's funders, a post and its plan for year.
func (f *fixture) planned(t *testing.T, post string, year int32) *domain.Plan {
	t.Helper()
	if _, err := f.repo.GetFunder(context.Background(), etat); err != nil {
		f.createFunders(t)
	}
	if _, err := f.repo.GetPost(context.Background(), post); err != nil {
		f.createPost(t, f.post(post))
	}
	p := f.plan(post, year)
	f.createPlan(t, p)
	return p
}

func createAgreementHandsCheckPlan(t *testing.T, f *fixture) {
	ctx := context.Background()
	plan := f.planned(t, "iscg-a", 2026)
	a := f.agreement("conv-a", "iscg-a", 2026)
	ev := f.agreementCreated(a)
	got, created, err := f.repo.CreateAgreement(agreementRequest("req-1", a), a, func(p *domain.Plan, taken bool) (*domain.Event, error) {
		if !samePlan(p, plan) || taken {
			t.Errorf("check got plan %+v, taken %v; want %+v, false", p, taken, plan)
		}
		return ev, nil
	})
	want := *a
	if err != nil || !created || !sameAgreement(got, &want) {
		t.Fatalf("CreateAgreement = %+v, created %v, %v; want %+v, created", got, created, err, want)
	}
	f.wrote(ev)
	if read, err := f.repo.GetAgreement(ctx, "conv-a"); err != nil || !sameAgreement(read, &want) {
		t.Errorf("GetAgreement(%q) = %+v, %v; want %+v", "conv-a", read, err, want)
	}

	orphan := f.agreement("conv-b", "iscg-a", 2030)
	_, created, err = f.repo.CreateAgreement(ctx, orphan, func(p *domain.Plan, taken bool) (*domain.Event, error) {
		if p != nil || taken {
			t.Errorf("check got plan %+v, taken %v; want nil, false", p, taken)
		}
		return nil, fmt.Errorf("no plan: %w", domain.ErrNotFound)
	})
	if !errors.Is(err, domain.ErrNotFound) || created {
		t.Errorf("CreateAgreement(no plan) = created %v, %v; want check's ErrNotFound", created, err)
	}
	if _, err := f.repo.GetAgreement(ctx, "conv-b"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("GetAgreement(%q) = %v; want ErrNotFound", "conv-b", err)
	}
}

func secondAgreementForPlan(t *testing.T, f *fixture) {
	f.planned(t, "iscg-a", 2026)
	f.createAgreement(t, f.agreement("conv-a", "iscg-a", 2026))

	second := f.agreement("conv-b", "iscg-a", 2026)
	var sawTaken bool
	_, created, err := f.repo.CreateAgreement(agreementRequest("req-2", second), second, func(_ *domain.Plan, taken bool) (*domain.Event, error) {
		sawTaken = taken
		return nil, fmt.Errorf("plan has an agreement: %w", domain.ErrWrongState)
	})
	if !sawTaken || !errors.Is(err, domain.ErrWrongState) || created {
		t.Errorf("CreateAgreement(second) = created %v, %v, check saw taken %v; want check's error, taken", created, err, sawTaken)
	}
	// A check that approves all the same is overruled: a plan has one agreement.
	_, created, err = f.repo.CreateAgreement(agreementRequest("req-3", second), second, func(*domain.Plan, bool) (*domain.Event, error) {
		return f.agreementCreated(second), nil
	})
	if !errors.Is(err, domain.ErrAlreadyExists) || created {
		t.Errorf("CreateAgreement(second, approved) = created %v, %v; want ErrAlreadyExists", created, err)
	}
	if n := f.count(t, "agreements"); n != 1 {
		t.Errorf("agreements = %d; want 1", n)
	}
}

func repeatedAgreementRequestID(t *testing.T, f *fixture) {
	f.planned(t, "iscg-a", 2026)
	f.planned(t, "iscg-a", 2027)
	first := f.agreement("conv-a", "iscg-a", 2026)
	ev := f.agreementCreated(first)
	approve := func(ev *domain.Event) func(*domain.Plan, bool) (*domain.Event, error) {
		return func(*domain.Plan, bool) (*domain.Event, error) { return ev, nil }
	}
	if _, created, err := f.repo.CreateAgreement(agreementRequest("req-1", first), first, approve(ev)); err != nil || !created {
		t.Fatalf("CreateAgreement = created %v, %v; want created", created, err)
	}
	f.wrote(ev)
	// The retry of the same request, for which the server chose another id.
	retry := f.agreement("conv-b", "iscg-a", 2026)
	called := false
	got, created, err := f.repo.CreateAgreement(agreementRequest("req-1", retry), retry, func(*domain.Plan, bool) (*domain.Event, error) {
		called = true
		return f.agreementCreated(retry), nil
	})
	if err != nil || created || called || !sameAgreement(got, first) {
		t.Errorf("CreateAgreement(same request) = %+v, created %v, %v, check called %v; want the first, not called", got, created, err, called)
	}
	// The same request id for another plan is another request: refused, not answered with the
	// first agreement.
	other := f.agreement("conv-c", "iscg-a", 2027)
	got, created, err = f.repo.CreateAgreement(agreementRequest("req-1", other), other, func(*domain.Plan, bool) (*domain.Event, error) {
		called = true
		return f.agreementCreated(other), nil
	})
	if !errors.Is(err, idempotency.ErrRequestIDReused) || created || called || got != nil {
		t.Errorf("CreateAgreement(same request id, another plan) = %+v, created %v, %v, check called %v; want ErrRequestIDReused, not called", got, created, err, called)
	}
	// The same id for the other plan: taken.
	for _, requestID := range []string{"", "req-2"} {
		dup := f.agreement("conv-a", "iscg-a", 2027)
		if _, created, err := f.repo.CreateAgreement(agreementRequest(requestID, dup), dup, approve(f.agreementCreated(dup))); !errors.Is(err, domain.ErrAlreadyExists) || created {
			t.Errorf("CreateAgreement(%q, request %q) = created %v, %v; want ErrAlreadyExists", dup.ID, requestID, created, err)
		}
	}
	if n := f.count(t, "agreements"); n != 1 {
		t.Errorf("agreements = %d; want 1", n)
	}
}

func listAgreements(t *testing.T, f *fixture) {
	specs := []struct {
		id, post string
		year     int32
		sign     bool
	}{
		{"a-4", "p-b", 2025, false},
		{"a-1", "p-a", 2024, false},
		{"a-3", "p-b", 2024, true},
		{"a-2", "p-a", 2025, true},
	}
	for _, s := range specs {
		f.planned(t, s.post, s.year)
		f.createAgreement(t, f.agreement(s.id, s.post, s.year))
		if s.sign {
			f.sign(t, s.id)
		}
	}
	checkList(t, "ListAgreements", f.repo.ListAgreements, agreementIDs, []listTest{
		{domain.Query{Limit: 10}, []string{"a-1", "a-2", "a-3", "a-4"}, 4},
		{domain.Query{Filters: map[string]string{"state": "SIGNED"}, Limit: 10}, []string{"a-2", "a-3"}, 2},
		{domain.Query{Filters: map[string]string{"year": "2024"}, Limit: 10}, []string{"a-1", "a-3"}, 2},
		{domain.Query{Filters: map[string]string{"post": "p-b"}, Limit: 10}, []string{"a-3", "a-4"}, 2},
		{domain.Query{Filters: map[string]string{"state": "DRAFT", "year": "2025"}, Limit: 10}, []string{"a-4"}, 1},
		{domain.Query{Filters: map[string]string{"state": "SIGNED"}, After: "a-2", Limit: 10}, []string{"a-3"}, 2},
	})
	pageThrough(t, "ListAgreements", f.repo.ListAgreements, agreementIDs, nil, 3, []string{"a-1", "a-2", "a-3", "a-4"})
}

func signingOpensContributions(t *testing.T, f *fixture) {
	ctx := context.Background()
	plan := f.planned(t, "iscg-a", 2026)
	f.createAgreement(t, f.agreement("conv-a", "iscg-a", 2026))
	var opened []*domain.Contribution
	var ev *domain.Event
	var sawPlan *domain.Plan
	sign := f.signChange(&opened, &ev)
	got, err := f.repo.TransitionAgreement(ctx, "conv-a", func(a *domain.Agreement, p *domain.Plan) ([]*domain.Contribution, *domain.Event, error) {
		sawPlan = p
		return sign(a, p)
	})
	if err != nil || got.State != domain.StateSigned || got.SignDate != "2026-02-01" || got.Revision != 2 {
		t.Fatalf("TransitionAgreement(sign) = %+v, %v; want signed at revision 2", got, err)
	}
	f.wrote(ev)
	if !samePlan(sawPlan, plan) {
		t.Errorf("change got plan %+v; want %+v", sawPlan, plan)
	}
	if read, err := f.repo.GetAgreement(ctx, "conv-a"); err != nil || !sameAgreement(read, got) {
		t.Errorf("GetAgreement = %+v, %v; want %+v", read, err, got)
	}
	list, total, err := f.repo.ListContributions(ctx, domain.Query{Filters: map[string]string{"agreement": "conv-a"}, Limit: 10})
	if err != nil || total != 3 || len(list) != 3 {
		t.Fatalf("ListContributions(conv-a) = %d of %d, %v; want 3", len(list), total, err)
	}
	byFunder := map[string]*domain.Contribution{}
	for _, c := range opened {
		byFunder[c.Funder] = c
	}
	for _, c := range list {
		if !sameContribution(c, byFunder[c.Funder]) {
			t.Errorf("contribution %s = %+v; want %+v", c.Name(), c, byFunder[c.Funder])
		}
	}

	// Later transitions open nothing.
	got, err = f.repo.TransitionAgreement(ctx, "conv-a", func(a *domain.Agreement, _ *domain.Plan) ([]*domain.Contribution, *domain.Event, error) {
		a.State, a.StartDate = domain.StateActive, "2026-03-01"
		a.Revision++
		a.UpdateTime = f.now()
		ev = f.event(domain.AgreementActivated)
		ev.Agreement, ev.PreviousState = a, domain.StateSigned
		return nil, ev, nil
	})
	if err != nil || got.State != domain.StateActive || got.StartDate != "2026-03-01" {
		t.Fatalf("TransitionAgreement(activate) = %+v, %v; want active", got, err)
	}
	f.wrote(ev)
	if n := f.count(t, "contributions"); n != 3 {
		t.Errorf("contributions = %d; want 3", n)
	}
}

func failingSignature(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.planned(t, "iscg-a", 2026)
	a := f.agreement("conv-a", "iscg-a", 2026)
	f.createAgreement(t, a)
	want := *a
	var opened []*domain.Contribution
	var ev *domain.Event
	sign := f.signChange(&opened, &ev)
	_, err := f.repo.TransitionAgreement(ctx, "conv-a", func(a *domain.Agreement, p *domain.Plan) ([]*domain.Contribution, *domain.Event, error) {
		cs, _, _ := sign(a, p)
		return cs, nil, errRefused
	})
	if !errors.Is(err, errRefused) {
		t.Errorf("TransitionAgreement(failing) = %v; want errRefused", err)
	}
	if read, err := f.repo.GetAgreement(ctx, "conv-a"); err != nil || !sameAgreement(read, &want) {
		t.Errorf("GetAgreement = %+v, %v; want unchanged %+v", read, err, want)
	}
	if n := f.count(t, "contributions"); n != 0 {
		t.Errorf("contributions = %d; want 0", n)
	}
}

func signatureUndoneByDuplicateContribution(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.planned(t, "iscg-a", 2026)
	a := f.agreement("conv-a", "iscg-a", 2026)
	f.createAgreement(t, a)
	want := *a
	var opened []*domain.Contribution
	var ev *domain.Event
	sign := f.signChange(&opened, &ev)
	// The agreement's row and the first contribution are written before the second fails.
	_, err := f.repo.TransitionAgreement(ctx, "conv-a", func(a *domain.Agreement, p *domain.Plan) ([]*domain.Contribution, *domain.Event, error) {
		cs, ev, err := sign(a, p)
		return append(cs, cs[0]), ev, err
	})
	if !errors.Is(err, domain.ErrAlreadyExists) {
		t.Errorf("TransitionAgreement(duplicate contribution) = %v; want ErrAlreadyExists", err)
	}
	if read, err := f.repo.GetAgreement(ctx, "conv-a"); err != nil || !sameAgreement(read, &want) {
		t.Errorf("GetAgreement = %+v, %v; want unchanged %+v", read, err, want)
	}
	if n := f.count(t, "contributions"); n != 0 {
		t.Errorf("contributions = %d; want 0", n)
	}
}

func transitionMissingAgreement(t *testing.T, f *fixture) {
	called := false
	_, err := f.repo.TransitionAgreement(context.Background(), "nowhere", func(*domain.Agreement, *domain.Plan) ([]*domain.Contribution, *domain.Event, error) {
		called = true
		return nil, nil, errRefused
	})
	if !errors.Is(err, domain.ErrNotFound) || called {
		t.Errorf("TransitionAgreement(%q) = %v, change called %v; want ErrNotFound, not called", "nowhere", err, called)
	}
}

func concurrentAgreementsForOnePlan(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.planned(t, "iscg-a", 2026)
	const writers = 10
	var created atomic.Int64
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		a := f.agreement(fmt.Sprintf("conv-%d", i), "iscg-a", 2026)
		ev := f.agreementCreated(a)
		wg.Go(func() {
			_, ok, err := f.repo.CreateAgreement(ctx, a, func(_ *domain.Plan, taken bool) (*domain.Event, error) {
				if taken {
					return nil, domain.ErrAlreadyExists
				}
				return ev, nil
			})
			if ok {
				created.Add(1)
				f.wrote(ev)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	failed := 0
	for i, err := range errs {
		if err != nil {
			failed++
			if !errors.Is(err, domain.ErrAlreadyExists) {
				t.Errorf("CreateAgreement #%d = %v; want nil or ErrAlreadyExists", i, err)
			}
		}
	}
	if created.Load() != 1 || failed != writers-1 {
		t.Errorf("CreateAgreement created %d, failed %d; want 1, %d", created.Load(), failed, writers-1)
	}
	if n := f.count(t, "agreements"); n != 1 {
		t.Errorf("agreements = %d; want 1", n)
	}
}

package store_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/services/funding/internal/domain"
)

var planCases = []contractCase{
	{"create plan hands check the funders it names and stores every field", createPlanHandsCheckFunders},
	{"a plan for a missing post is ErrNotFound without calling check", planForMissingPost},
	{"a second plan for one post and year is ErrAlreadyExists without calling check", secondPlanForPostYear},
	{"a repeated plan request id returns the first plan without calling check", repeatedPlanRequestID},
	{"a refused plan check writes nothing", refusedPlanCheck},
	{"get of a missing plan is ErrNotFound", getMissingPlan},
	{"list plans filters by post and year and pages across posts and years", listPlans},
	{"update plan sees its agreement's state and looks funders up in the transaction", updatePlanSeesAgreementState},
	{"a failing plan update changes nothing; a missing plan is ErrNotFound", failingUpdatePlan},
}

// populationPlan is a plan under the population rule, naming a funder that does not exist.
func (f *fixture) populationPlan(post string, year int32) *domain.Plan {
	p := f.plan(post, year)
	p.Rule, p.Shares = domain.RulePopulation, nil
	p.DepartementFunder, p.DepartementShareBP = cd71, 5000
	p.EPCIFunders = []string{ccA, ccB, "cc-missing"}
	p.Contributions = nil // computed by check, from the funders it is given
	return p
}

func createPlanHandsCheckFunders(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.createFunders(t)
	f.createPost(t, f.post("iscg-a"))
	p := f.populationPlan("iscg-a", 2026)
	p.CreateTime = p.CreateTime.Add(321).In(fixedParis)
	ev := f.planCreated(p)
	var given []string
	got, created, err := f.repo.CreatePlan(planRequest("req-1", p), p, func(funders map[string]*domain.Funder) (*domain.Event, error) {
		given = slices.Sorted(maps.Keys(funders))
		for _, id := range given {
			p.Contributions = append(p.Contributions, domain.PlannedContribution{Funder: id, Kind: funders[id].Kind, AmountCents: 25_000})
		}
		return ev, nil
	})
	if err != nil || !created {
		t.Fatalf("CreatePlan = created %v, %v; want created", created, err)
	}
	f.wrote(ev)
	if want := []string{ccA, ccB, cd71, etat}; !slices.Equal(given, want) {
		t.Errorf("check was given funders %q; want %q (the missing one absent)", given, want)
	}
	want := *p
	want.CreateTime = want.CreateTime.Truncate(time.Microsecond)
	if len(want.Contributions) != 4 || !samePlan(got, &want) {
		t.Errorf("CreatePlan = %+v; want %+v with the contributions check computed", got, want)
	}
	if read, err := f.repo.GetPlan(ctx, "iscg-a", 2026); err != nil || !samePlan(read, &want) {
		t.Errorf("GetPlan(iscg-a, 2026) = %+v, %v; want %+v", read, err, want)
	}

	explicit := f.plan("iscg-a", 2027)
	f.createPlan(t, explicit)
	if read, err := f.repo.GetPlan(ctx, "iscg-a", 2027); err != nil || !samePlan(read, explicit) {
		t.Errorf("GetPlan(iscg-a, 2027) = %+v, %v; want %+v", read, err, explicit)
	}
}

func planForMissingPost(t *testing.T, f *fixture) {
	f.createFunders(t)
	p := f.plan("nowhere", 2026)
	called := false
	got, created, err := f.repo.CreatePlan(planRequest("req-1", p), p, func(map[string]*domain.Funder) (*domain.Event, error) {
		called = true
		return f.planCreated(p), nil
	})
	if !errors.Is(err, domain.ErrNotFound) || created || got != nil || called {
		t.Errorf("CreatePlan(%q) = %v, created %v, %v, check called %v; want ErrNotFound, not called", p.Name(), got, created, err, called)
	}
	if n := f.count(t, "plans"); n != 0 {
		t.Errorf("plans = %d; want 0", n)
	}
}

func secondPlanForPostYear(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.createFunders(t)
	f.createPost(t, f.post("iscg-a"))
	first := f.plan("iscg-a", 2026)
	f.createPlan(t, first)
	for _, requestID := range []string{"", "req-2"} {
		dup := f.plan("iscg-a", 2026)
		dup.AnnualCostCents = 1
		called := false
		got, created, err := f.repo.CreatePlan(planRequest(requestID, dup), dup, func(map[string]*domain.Funder) (*domain.Event, error) {
			called = true
			return f.planCreated(dup), nil
		})
		if !errors.Is(err, domain.ErrAlreadyExists) || created || called {
			t.Errorf("CreatePlan(%q, request %q) again = %v, created %v, %v, check called %v; want ErrAlreadyExists, not called",
				dup.Name(), requestID, got, created, err, called)
		}
	}
	if read, err := f.repo.GetPlan(ctx, "iscg-a", 2026); err != nil || !samePlan(read, first) {
		t.Errorf("GetPlan = %+v, %v; want the first %+v", read, err, first)
	}
}

func repeatedPlanRequestID(t *testing.T, f *fixture) {
	f.createFunders(t)
	f.createPost(t, f.post("iscg-a"))
	first := f.plan("iscg-a", 2026)
	ev := f.planCreated(first)
	if _, created, err := f.repo.CreatePlan(planRequest("req-1", first), first, approvePlan(ev)); err != nil || !created {
		t.Fatalf("CreatePlan = created %v, %v; want created", created, err)
	}
	f.wrote(ev)
	retry := f.plan("iscg-a", 2026)
	called := false
	got, created, err := f.repo.CreatePlan(planRequest("req-1", retry), retry, func(map[string]*domain.Funder) (*domain.Event, error) {
		called = true
		return f.planCreated(retry), nil
	})
	if err != nil || created || called || !samePlan(got, first) {
		t.Errorf("CreatePlan(same request) = %+v, created %v, %v, check called %v; want the first plan, not called", got, created, err, called)
	}
	// The same request id with another request (another year) is refused, not answered with the
	// first plan; under another post it is another request.
	other := f.plan("iscg-a", 2027)
	got, created, err = f.repo.CreatePlan(planRequest("req-1", other), other, func(map[string]*domain.Funder) (*domain.Event, error) {
		called = true
		return f.planCreated(other), nil
	})
	if !errors.Is(err, idempotency.ErrRequestIDReused) || created || called || got != nil {
		t.Errorf("CreatePlan(same request id, another year) = %+v, created %v, %v, check called %v; want ErrRequestIDReused, not called", got, created, err, called)
	}
	f.createPost(t, f.post("iscg-b"))
	elsewhere := f.plan("iscg-b", 2026)
	evB := f.planCreated(elsewhere)
	if _, created, err := f.repo.CreatePlan(planRequest("req-1", elsewhere), elsewhere, approvePlan(evB)); err != nil || !created {
		t.Errorf("CreatePlan(%q, req-1 under another post) = created %v, %v; want created", elsewhere.Name(), created, err)
	}
	f.wrote(evB)
	if n := f.count(t, "plans"); n != 2 {
		t.Errorf("plans = %d; want 2", n)
	}
}

func refusedPlanCheck(t *testing.T, f *fixture) {
	f.createFunders(t)
	f.createPost(t, f.post("iscg-a"))
	p := f.plan("iscg-a", 2026)
	_, created, err := f.repo.CreatePlan(planRequest("req-1", p), p, func(map[string]*domain.Funder) (*domain.Event, error) {
		return nil, errRefused
	})
	if !errors.Is(err, errRefused) || created {
		t.Errorf("CreatePlan(refused) = created %v, %v; want errRefused", created, err)
	}
	if n := f.count(t, "plans"); n != 0 {
		t.Errorf("plans = %d; want 0", n)
	}
}

func getMissingPlan(t *testing.T, f *fixture) {
	f.createFunders(t)
	f.createPost(t, f.post("iscg-a"))
	f.createPlan(t, f.plan("iscg-a", 2026))
	for _, k := range []struct {
		post string
		year int32
	}{{"iscg-a", 2025}, {"iscg-b", 2026}} {
		if got, err := f.repo.GetPlan(context.Background(), k.post, k.year); !errors.Is(err, domain.ErrNotFound) || got != nil {
			t.Errorf("GetPlan(%q, %d) = %v, %v; want ErrNotFound", k.post, k.year, got, err)
		}
	}
}

func listPlans(t *testing.T, f *fixture) {
	f.createFunders(t)
	for _, id := range []string{"p-b", "p-c", "p-a"} {
		f.createPost(t, f.post(id))
	}
	for _, k := range []struct {
		post string
		year int32
	}{{"p-b", 2025}, {"p-a", 2026}, {"p-c", 2024}, {"p-a", 2024}, {"p-b", 2024}, {"p-a", 2025}} {
		f.createPlan(t, f.plan(k.post, k.year))
	}
	all := []string{"p-a/2024", "p-a/2025", "p-a/2026", "p-b/2024", "p-b/2025", "p-c/2024"}
	for _, limit := range []int{1, 2, 4, 6} {
		pageThrough(t, "ListPlans", f.repo.ListPlans, planKeys, nil, limit, all)
	}
	pageThrough(t, "ListPlans(year 2024)", f.repo.ListPlans, planKeys, map[string]string{"year": "2024"}, 2,
		[]string{"p-a/2024", "p-b/2024", "p-c/2024"})
	checkList(t, "ListPlans", f.repo.ListPlans, planKeys, []listTest{
		{domain.Query{Filters: map[string]string{"post": "p-a"}, Limit: 10}, []string{"p-a/2024", "p-a/2025", "p-a/2026"}, 3},
		{domain.Query{Filters: map[string]string{"post": "p-b", "year": "2025"}, Limit: 10}, []string{"p-b/2025"}, 1},
		{domain.Query{Filters: map[string]string{"year": "2024"}, After: "p-a/2024", Limit: 1}, []string{"p-b/2024"}, 3},
		{domain.Query{After: "p-a/2026", Limit: 10}, []string{"p-b/2024", "p-b/2025", "p-c/2024"}, 6},
		{domain.Query{Filters: map[string]string{"year": "2030"}, Limit: 10}, nil, 0},
	})
}

func updatePlanSeesAgreementState(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.createFunders(t)
	f.createPost(t, f.post("iscg-a"))
	orig := f.plan("iscg-a", 2026)
	f.createPlan(t, orig)

	var ev *domain.Event
	var want domain.Plan
	got, err := f.repo.UpdatePlan(ctx, "iscg-a", 2026, func(p *domain.Plan, state domain.AgreementState, funders func([]string) (map[string]*domain.Funder, error)) (*domain.Event, error) {
		if !samePlan(p, orig) || state != "" {
			t.Errorf("update got %+v, agreement %q; want the stored plan, no agreement", p, state)
		}
		found, err := funders([]string{ccB, "cc-missing"})
		if err != nil || len(found) != 1 || found[ccB] == nil || found[ccB].Kind != domain.KindEPCI {
			t.Errorf("funders(cc-b, cc-missing) = %v, %v; want cc-b only", found, err)
		}
		p.AnnualCostCents = 120_000
		p.Shares = []domain.Share{{Funder: cd71, BP: 5000}, {Funder: ccB, BP: 5000}}
		p.Contributions = []domain.PlannedContribution{
			{Funder: etat, Kind: domain.KindState, AmountCents: 39_600},
			{Funder: cd71, Kind: domain.KindDepartement, AmountCents: 40_200},
			{Funder: ccB, Kind: domain.KindEPCI, AmountCents: 40_200},
		}
		p.Revisions++
		p.Revision++
		p.UpdateTime = f.now()
		want = *p
		ev = f.event(domain.PlanRevised)
		ev.Plan, ev.UpdateMask = p, []string{"annual_cost_cents", "explicit_shares"}
		return ev, nil
	})
	if err != nil || !samePlan(got, &want) {
		t.Fatalf("UpdatePlan = %+v, %v; want %+v", got, err, want)
	}
	f.wrote(ev)
	if read, err := f.repo.GetPlan(ctx, "iscg-a", 2026); err != nil || !samePlan(read, &want) || read.Revisions != 1 {
		t.Errorf("GetPlan = %+v, %v; want %+v", read, err, want)
	}

	// Once the plan has an agreement, update sees its state.
	f.createAgreement(t, f.agreement("conv-a", "iscg-a", 2026))
	for _, wantState := range []domain.AgreementState{domain.StateDraft, domain.StateSigned} {
		if wantState == domain.StateSigned {
			f.sign(t, "conv-a")
		}
		var state domain.AgreementState
		_, err := f.repo.UpdatePlan(ctx, "iscg-a", 2026, func(_ *domain.Plan, s domain.AgreementState, _ func([]string) (map[string]*domain.Funder, error)) (*domain.Event, error) {
			state = s
			return nil, errRefused
		})
		if !errors.Is(err, errRefused) || state != wantState {
			t.Errorf("UpdatePlan saw agreement %q, %v; want %q, errRefused", state, err, wantState)
		}
	}
}

func failingUpdatePlan(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.createFunders(t)
	f.createPost(t, f.post("iscg-a"))
	orig := f.plan("iscg-a", 2026)
	f.createPlan(t, orig)
	_, err := f.repo.UpdatePlan(ctx, "iscg-a", 2026, func(p *domain.Plan, _ domain.AgreementState, _ func([]string) (map[string]*domain.Funder, error)) (*domain.Event, error) {
		p.AnnualCostCents = 1
		p.Revision++
		return nil, errRefused
	})
	if !errors.Is(err, errRefused) {
		t.Errorf("UpdatePlan(failing) = %v; want errRefused", err)
	}
	if read, err := f.repo.GetPlan(ctx, "iscg-a", 2026); err != nil || !samePlan(read, orig) {
		t.Errorf("GetPlan = %+v, %v; want unchanged %+v", read, err, orig)
	}
	called := false
	_, err = f.repo.UpdatePlan(ctx, "iscg-a", 2025, func(*domain.Plan, domain.AgreementState, func([]string) (map[string]*domain.Funder, error)) (*domain.Event, error) {
		called = true
		return nil, errRefused
	})
	if !errors.Is(err, domain.ErrNotFound) || called {
		t.Errorf("UpdatePlan(iscg-a, 2025) = %v, update called %v; want ErrNotFound, not called", err, called)
	}
}

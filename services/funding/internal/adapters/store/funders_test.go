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

var funderCases = []contractCase{
	{"create funder then get returns every field in UTC", createFunderThenGet},
	{"get of a missing funder is ErrNotFound", getMissingFunder},
	{"create with a taken funder id is ErrAlreadyExists and writes nothing", createTakenFunderID},
	{"a repeated funder request id returns the first funder and writes nothing", repeatedFunderRequestID},
	{"list funders filters by kind, epci and organisation and counts every match", listFundersFilters},
	{"list funders pages in id order visiting each once", listFundersPages},
	{"update funder writes the change with its event", updateFunderWrites},
	{"a failing funder update changes nothing and writes no event", failingUpdateFunder},
	{"an update approved without an event writes nothing", updateWithoutEvent},
	{"update of a missing funder is ErrNotFound without calling update", updateMissingFunder},
	{"funders by EPCI gives the EPCI funders of the SIRENs asked", fundersByEPCI},
}

func createFunderThenGet(t *testing.T, f *fixture) {
	ctx := context.Background()
	fu := f.funder("cc-bresse", domain.KindEPCI)
	// Times in a zone other than UTC and with nanoseconds, as time.Now gives them: the store
	// keeps the instants to the microsecond, on both engines, and gives them back in UTC.
	paris := fu.CreateTime.Add(123).In(fixedParis)
	fu.CreateTime, fu.UpdateTime = paris, paris.Add(time.Second+456)
	want := *fu
	want.CreateTime, want.UpdateTime = want.CreateTime.Truncate(time.Microsecond), want.UpdateTime.Truncate(time.Microsecond)
	ev := f.funderCreated(fu)
	got, created, err := f.repo.CreateFunder(funderRequest("req-1", fu), fu, ev)
	if err != nil || !created || !sameFunder(got, &want) {
		t.Fatalf("CreateFunder = %+v, created %v, %v; want %+v in UTC, created", got, created, err, want)
	}
	f.wrote(ev)
	read, err := f.repo.GetFunder(ctx, "cc-bresse")
	if err != nil || !sameFunder(read, &want) {
		t.Errorf("GetFunder(%q) = %+v, %v; want %+v in UTC", "cc-bresse", read, err, want)
	}
}

func getMissingFunder(t *testing.T, f *fixture) {
	f.createFunder(t, f.funder(etat, domain.KindState))
	if got, err := f.repo.GetFunder(context.Background(), "nobody"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("GetFunder(%q) = %v, %v; want ErrNotFound", "nobody", got, err)
	}
}

func createTakenFunderID(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.createFunder(t, f.funder(etat, domain.KindState))
	for _, requestID := range []string{"", "req-2"} {
		dup := f.funder(etat, domain.KindOther)
		got, created, err := f.repo.CreateFunder(funderRequest(requestID, dup), dup, f.funderCreated(dup))
		if !errors.Is(err, domain.ErrAlreadyExists) || created {
			t.Errorf("CreateFunder(%q, request %q) = %v, created %v, %v; want ErrAlreadyExists", dup.ID, requestID, got, created, err)
		}
	}
	if read, err := f.repo.GetFunder(ctx, etat); err != nil || read.Kind != domain.KindState {
		t.Errorf("GetFunder(%q) = %+v, %v; want the first funder", etat, read, err)
	}
}

func repeatedFunderRequestID(t *testing.T, f *fixture) {
	a := f.funder("funder-a", domain.KindOther)
	evA := f.funderCreated(a)
	if _, created, err := f.repo.CreateFunder(funderRequest("req-1", a), a, evA); err != nil || !created {
		t.Fatalf("CreateFunder(%q) = created %v, %v; want created, nil", a.ID, created, err)
	}
	f.wrote(evA)
	// The retry of the same request, for which the server chose another id.
	b := *a
	b.ID = "funder-b"
	got, created, err := f.repo.CreateFunder(funderRequest("req-1", &b), &b, f.funderCreated(&b))
	if err != nil || created || !sameFunder(got, a) {
		t.Errorf("CreateFunder(%q, same request) = %+v, created %v, %v; want %+v, false, nil", b.ID, got, created, err, a)
	}
	// The same request id with another request (another funder) is refused.
	c := f.funder("funder-c", domain.KindOther)
	got, created, err = f.repo.CreateFunder(funderRequest("req-1", c), c, f.funderCreated(c))
	if !errors.Is(err, idempotency.ErrRequestIDReused) || created || got != nil {
		t.Errorf("CreateFunder(%q, same request id, another funder) = %+v, created %v, %v; want ErrRequestIDReused", c.ID, got, created, err)
	}
	if n := f.count(t, "funders"); n != 1 {
		t.Errorf("funders = %d; want 1", n)
	}
}

func listFundersFilters(t *testing.T, f *fixture) {
	specs := []struct {
		id           string
		kind         domain.FunderKind
		organisation string
	}{
		{"f-a", domain.KindEPCI, "org-1"},
		{"f-b", domain.KindState, "org-2"},
		{"f-c", domain.KindEPCI, "org-2"},
		{"f-d", domain.KindCommune, "org-1"},
		{"f-e", domain.KindEPCI, ""},
	}
	for _, s := range specs {
		fu := f.funder(s.id, s.kind)
		fu.Organisation = s.organisation
		f.createFunder(t, fu)
	}
	checkList(t, "ListFunders", f.repo.ListFunders, funderIDs, []listTest{
		{domain.Query{Limit: 100}, []string{"f-a", "f-b", "f-c", "f-d", "f-e"}, 5},
		{domain.Query{Filters: map[string]string{"kind": "EPCI"}, Limit: 100}, []string{"f-a", "f-c", "f-e"}, 3},
		{domain.Query{Filters: map[string]string{"epci": "2000f-c"}, Limit: 100}, []string{"f-c"}, 1},
		{domain.Query{Filters: map[string]string{"organisation": "org-1"}, Limit: 100}, []string{"f-a", "f-d"}, 2},
		{domain.Query{Filters: map[string]string{"kind": "EPCI", "organisation": "org-2"}, Limit: 100}, []string{"f-c"}, 1},
		{domain.Query{Filters: map[string]string{"kind": "DEPARTEMENT"}, Limit: 100}, nil, 0},
		// The total counts every match, not only the page, and ignores the resume key.
		{domain.Query{Filters: map[string]string{"kind": "EPCI"}, Limit: 2}, []string{"f-a", "f-c"}, 3},
		{domain.Query{Filters: map[string]string{"kind": "EPCI"}, After: "f-a", Limit: 100}, []string{"f-c", "f-e"}, 3},
		// No limit reads every row.
		{domain.Query{}, []string{"f-a", "f-b", "f-c", "f-d", "f-e"}, 5},
	})
}

func listFundersPages(t *testing.T, f *fixture) {
	for _, id := range []string{"f-e", "f-b", "f-g", "f-a", "f-d", "f-f", "f-c"} {
		f.createFunder(t, f.funder(id, domain.KindOther))
	}
	pageThrough(t, "ListFunders", f.repo.ListFunders, funderIDs, nil, 3,
		[]string{"f-a", "f-b", "f-c", "f-d", "f-e", "f-f", "f-g"})
}

func updateFunderWrites(t *testing.T, f *fixture) {
	ctx := context.Background()
	orig := f.funder(ccA, domain.KindEPCI)
	f.createFunder(t, orig)
	want := *orig
	got, err := f.repo.UpdateFunder(ctx, ccA, func(fu *domain.Funder) (*domain.Event, error) {
		if !sameFunder(fu, &want) {
			t.Errorf("update got %+v; want the stored %+v", fu, want)
		}
		fu.DisplayName, fu.Organisation, fu.SIRET = "CC Bresse Nord", "org-new", ""
		fu.Revision++
		fu.UpdateTime = f.now().Add(789) // nanoseconds the engines do not keep
		want = *fu
		want.UpdateTime = want.UpdateTime.Truncate(time.Microsecond)
		ev := f.event(domain.FunderUpdated)
		ev.Funder, ev.UpdateMask = fu, []string{"display_name", "organisation", "siret"}
		f.wrote(ev)
		return ev, nil
	})
	if err != nil || !sameFunder(got, &want) || got.Revision != 2 {
		t.Errorf("UpdateFunder(%q) = %+v, %v; want %+v at revision 2", ccA, got, err, want)
	}
	if read, err := f.repo.GetFunder(ctx, ccA); err != nil || !sameFunder(read, &want) {
		t.Errorf("GetFunder(%q) = %+v, %v; want %+v", ccA, read, err, want)
	}
}

func failingUpdateFunder(t *testing.T, f *fixture) {
	ctx := context.Background()
	orig := f.funder(ccA, domain.KindEPCI)
	f.createFunder(t, orig)
	want := *orig
	got, err := f.repo.UpdateFunder(ctx, ccA, func(fu *domain.Funder) (*domain.Event, error) {
		fu.DisplayName = "Half-done"
		fu.Revision++
		return nil, errRefused
	})
	if !errors.Is(err, errRefused) || got != nil {
		t.Errorf("UpdateFunder(%q, failing) = %v, %v; want nil, errRefused", ccA, got, err)
	}
	if read, err := f.repo.GetFunder(ctx, ccA); err != nil || !sameFunder(read, &want) {
		t.Errorf("GetFunder(%q) = %+v, %v; want unchanged %+v", ccA, read, err, want)
	}
}

func updateWithoutEvent(t *testing.T, f *fixture) {
	ctx := context.Background()
	orig := f.funder(ccA, domain.KindEPCI)
	f.createFunder(t, orig)
	want := *orig
	got, err := f.repo.UpdateFunder(ctx, ccA, func(fu *domain.Funder) (*domain.Event, error) {
		fu.DisplayName = "Changed without an event"
		return nil, nil
	})
	if err == nil || got != nil {
		t.Errorf("UpdateFunder(%q, no event) = %v, %v; want nil and an error", ccA, got, err)
	}
	if read, err := f.repo.GetFunder(ctx, ccA); err != nil || !sameFunder(read, &want) {
		t.Errorf("GetFunder(%q) = %+v, %v; want unchanged %+v", ccA, read, err, want)
	}
}

func updateMissingFunder(t *testing.T, f *fixture) {
	called := false
	_, err := f.repo.UpdateFunder(context.Background(), "nobody", func(*domain.Funder) (*domain.Event, error) {
		called = true
		return nil, errRefused
	})
	if !errors.Is(err, domain.ErrNotFound) || called {
		t.Errorf("UpdateFunder(%q) = %v, update called %v; want ErrNotFound, not called", "nobody", err, called)
	}
}

func fundersByEPCI(t *testing.T, f *fixture) {
	f.createFunders(t) // cc-a and cc-b are EPCIs 2000cc-a and 2000cc-b
	commune := f.funder("commune", domain.KindCommune)
	commune.EPCI = "2000cc-a" // not an EPCI funder, whatever its epci column says
	f.createFunder(t, commune)
	got, err := f.repo.FundersByEPCI(context.Background(), []string{"2000cc-a", "2000cc-b", "2000cc-b", "999999999"})
	if err != nil {
		t.Fatalf("FundersByEPCI = %v", err)
	}
	keys := slices.Sorted(maps.Keys(got))
	if !slices.Equal(keys, []string{"2000cc-a", "2000cc-b"}) || got["2000cc-a"].ID != ccA || got["2000cc-b"].ID != ccB {
		t.Errorf("FundersByEPCI = %v; want 2000cc-a: %s, 2000cc-b: %s", got, ccA, ccB)
	}
	if got, err := f.repo.FundersByEPCI(context.Background(), nil); err != nil || len(got) != 0 {
		t.Errorf("FundersByEPCI(nil) = %v, %v; want empty, nil", got, err)
	}
}

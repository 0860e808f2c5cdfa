package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/platform/storage/storagetest"
	"github.com/vif71/vif/services/directory/internal/domain"
)

// errRefused is what the tests' closures return to refuse a change.
var errRefused = errors.New("refused by the closure")

// TestRepositoryContract runs every case of the repository's contract against each engine
// storagetest offers, on a fresh database per case, through the domain.Repository interface.
func TestRepositoryContract(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, f *fixture)
	}{
		{"create then get returns every field in UTC", createThenGetReturnsEveryField},
		{"get of a missing organisation is ErrNotFound", getMissingOrganisationIsNotFound},
		{"create with a taken id is ErrAlreadyExists and writes nothing", createTakenIDIsAlreadyExists},
		{"a repeated request id returns the first organisation and writes nothing", repeatedOrganisationRequestID},
		{"list filters by kind, commune and siret and counts every match", listOrganisationsFilters},
		{"list pages through organisations in id order visiting each once", listOrganisationsPages},
		{"update writes the changed organisation with its event", updateOrganisationWrites},
		{"a failing update changes nothing and writes no event", failingUpdateOrganisation},
		{"update of a missing organisation is ErrNotFound", updateMissingOrganisation},
		{"delete keeps the organisation with its delete time and its event", deleteOrganisation},
		{"list leaves deleted organisations out unless asked", listLeavesDeletedOut},
		{"update clears the delete time of an undeleted organisation", undeleteOrganisation},
		{"a deleted organisation keeps its id", deletedOrganisationKeepsItsID},
		{"delete check sees the members and its refusal keeps everything", deleteOrganisationRefusedWithMembers},
		{"delete of a missing organisation is ErrNotFound", deleteMissingOrganisation},
		{"create member hands check its organisation", createMemberHandsCheckItsOrganisation},
		{"create member of a missing organisation hands check nil", createMemberOfMissingOrganisation},
		{"create with a taken member id is ErrAlreadyExists within its network only", createTakenMemberID},
		{"a repeated member request id returns the first member and writes nothing", repeatedMemberRequestID},
		{"get of a missing member is ErrNotFound", getMissingMember},
		{"list members filters by network, organisation and domain", listMembersFilters},
		{"domain filter matches whole domains only", domainFilterMatchesWholeDomains},
		{"list members across networks orders by network then id and pages", listMembersAcrossNetworksPages},
		{"update member writes the change with its event", updateMemberWrites},
		{"a failing member update changes nothing and writes no event", failingUpdateMember},
		{"update of a missing member is ErrNotFound", updateMissingMember},
		{"delete member removes it with its event", deleteMember},
		{"a refused member delete keeps it and writes no event", refusedDeleteMember},
		{"seeded is false until marked and marking twice is harmless", seededAndMarkSeeded},
		{"concurrent updates of one organisation lose none", concurrentUpdatesLoseNone},
		{"concurrent creates with one request id make one organisation", concurrentCreatesOneRequestID},
		{"concurrent creates with one id and one request id make one organisation", concurrentCreatesOneIDOneRequestID},
		{"concurrent member creates with one id and one request id make one member", concurrentMemberCreates},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each case has its own databases
			for _, d := range storagetest.Databases(t) {
				t.Run(d.Name, func(t *testing.T) {
					tc.run(t, newFixture(t, d.DB))
				})
			}
		})
	}
}

func createThenGetReturnsEveryField(t *testing.T, f *fixture) {
	ctx := context.Background()
	o := f.org("caf-71")
	// Times in a zone other than UTC and with nanoseconds, as time.Now gives them: the store
	// keeps the instants to the microsecond, on both engines, and gives them back in UTC.
	paris := o.CreateTime.Add(123).In(fixedParis)
	o.CreateTime, o.UpdateTime = paris, paris.Add(time.Second+456)
	want := *o
	want.CreateTime = want.CreateTime.Truncate(time.Microsecond)
	want.UpdateTime = want.UpdateTime.Truncate(time.Microsecond)
	ev := f.orgCreated(o)
	got, created, err := f.repo.CreateOrganisation(orgRequest("req-1", o), o, ev)
	if err != nil || !created || !sameOrganisation(got, &want) {
		t.Fatalf("CreateOrganisation = %+v, created %v, %v; want %+v in UTC, created", got, created, err, want)
	}
	read, err := f.repo.GetOrganisation(ctx, "caf-71")
	if err != nil || !sameOrganisation(read, &want) {
		t.Errorf("GetOrganisation(%q) = %+v, %v; want %+v in UTC", "caf-71", read, err, want)
	}
	f.wantOutbox(t, ev)
}

func getMissingOrganisationIsNotFound(t *testing.T, f *fixture) {
	f.createOrg(t, f.org("caf-71"))
	if got, err := f.repo.GetOrganisation(context.Background(), "caf-72"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("GetOrganisation(%q) = %v, %v; want ErrNotFound", "caf-72", got, err)
	}
}

func createTakenIDIsAlreadyExists(t *testing.T, f *fixture) {
	ctx := context.Background()
	first := f.createOrg(t, f.org("caf-71"))
	for _, requestID := range []string{"", "req-2"} {
		dup := f.org("caf-71")
		dup.DisplayName = "Impostor"
		got, created, err := f.repo.CreateOrganisation(orgRequest(requestID, dup), dup, f.orgCreated(dup))
		if !errors.Is(err, domain.ErrAlreadyExists) || created {
			t.Errorf("CreateOrganisation(%q, request %q) = %v, created %v, %v; want ErrAlreadyExists", dup.ID, requestID, got, created, err)
		}
	}
	read, err := f.repo.GetOrganisation(ctx, "caf-71")
	if err != nil || read.DisplayName != "Organisation caf-71" {
		t.Errorf("GetOrganisation(%q) = %+v, %v; want the first organisation", "caf-71", read, err)
	}
	f.wantOutbox(t, first)
}

func repeatedOrganisationRequestID(t *testing.T, f *fixture) {
	ctx := context.Background()
	a := f.org("org-a")
	evA := f.orgCreated(a)
	if _, created, err := f.repo.CreateOrganisation(orgRequest("req-1", a), a, evA); err != nil || !created {
		t.Fatalf("CreateOrganisation(%q) = created %v, %v; want created, nil", a.ID, created, err)
	}
	// The retry of the same request, for which the server chose another id.
	b := f.org("org-b")
	b.DisplayName = a.DisplayName
	got, created, err := f.repo.CreateOrganisation(orgRequest("req-1", b), b, f.orgCreated(b))
	if err != nil || created || !sameOrganisation(got, a) {
		t.Errorf("CreateOrganisation(%q, same request) = %+v, created %v, %v; want %+v, false, nil", b.ID, got, created, err, a)
	}
	// The same request id with another request (another name) is refused, not answered with a.
	c := f.org("org-c")
	got, created, err = f.repo.CreateOrganisation(orgRequest("req-1", c), c, f.orgCreated(c))
	if !errors.Is(err, idempotency.ErrRequestIDReused) || created || got != nil {
		t.Errorf("CreateOrganisation(%q, same request id, another name) = %+v, created %v, %v; want ErrRequestIDReused", c.ID, got, created, err)
	}
	for _, id := range []string{"org-b", "org-c"} {
		if _, err := f.repo.GetOrganisation(ctx, id); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("GetOrganisation(%q) = %v; want ErrNotFound", id, err)
		}
	}
	if n := f.count(t, "organisations"); n != 1 {
		t.Errorf("organisations = %d; want 1", n)
	}
	f.wantOutbox(t, evA)
	// Another caller's request id is theirs: the same one creates their organisation.
	d := f.org("org-d")
	d.DisplayName = a.DisplayName
	other := keyed(`role="coordinator" network="chalonnais" organisation="" sub="coordinator"`, "req-1",
		"/vif.directory.v1.DirectoryService/CreateOrganisation", "", fmt.Sprint(d.DisplayName, d.Kind, d.SIRET, d.Commune, d.Address))
	if got, created, err := f.repo.CreateOrganisation(other, d, f.orgCreated(d)); err != nil || !created || got.ID != "org-d" {
		t.Errorf("CreateOrganisation(%q, another caller's req-1) = %+v, created %v, %v; want org-d, created", d.ID, got, created, err)
	}
}

func listOrganisationsFilters(t *testing.T, f *fixture) {
	ctx := context.Background()
	specs := []struct {
		id      string
		kind    domain.OrganisationKind
		commune string
		siret   string
	}{
		{"org-a", "ASSOCIATION", "71076", "73282932000074"},
		{"org-b", "CAF", "71270", ""},
		{"org-c", "ASSOCIATION", "71270", "20070464000123"},
		{"org-d", "REGIE", "71076", ""},
		{"org-e", "ASSOCIATION", "71076", "41805240100019"},
	}
	var events []*domain.Event
	for _, s := range specs {
		o := f.org(s.id)
		o.Kind, o.Commune, o.SIRET = s.kind, s.commune, s.siret
		events = append(events, f.createOrg(t, o))
	}
	tests := []struct {
		q         domain.OrganisationQuery
		want      []string
		wantTotal int
	}{
		{domain.OrganisationQuery{Limit: 100}, []string{"org-a", "org-b", "org-c", "org-d", "org-e"}, 5},
		{domain.OrganisationQuery{Kind: "ASSOCIATION", Limit: 100}, []string{"org-a", "org-c", "org-e"}, 3},
		{domain.OrganisationQuery{Commune: "71076", Limit: 100}, []string{"org-a", "org-d", "org-e"}, 3},
		{domain.OrganisationQuery{SIRET: "20070464000123", Limit: 100}, []string{"org-c"}, 1},
		{domain.OrganisationQuery{Kind: "ASSOCIATION", Commune: "71270", Limit: 100}, []string{"org-c"}, 1},
		{domain.OrganisationQuery{Kind: "POLICE", Limit: 100}, nil, 0},
		// The total counts every match, not only the page.
		{domain.OrganisationQuery{Kind: "ASSOCIATION", Limit: 2}, []string{"org-a", "org-c"}, 3},
		{domain.OrganisationQuery{Kind: "ASSOCIATION", After: "org-a", Limit: 100}, []string{"org-c", "org-e"}, 3},
	}
	for _, tt := range tests {
		got, total, err := f.repo.ListOrganisations(ctx, tt.q)
		if err != nil {
			t.Errorf("ListOrganisations(%+v) = %v", tt.q, err)
			continue
		}
		if !slices.Equal(orgIDs(got), tt.want) || total != tt.wantTotal {
			t.Errorf("ListOrganisations(%+v) = %q, total %d; want %q, total %d", tt.q, orgIDs(got), total, tt.want, tt.wantTotal)
		}
	}
	f.wantOutbox(t, events...)
}

func listOrganisationsPages(t *testing.T, f *fixture) {
	ctx := context.Background()
	var events []*domain.Event
	for _, id := range []string{"org-e", "org-b", "org-g", "org-a", "org-d", "org-f", "org-c"} {
		events = append(events, f.createOrg(t, f.org(id)))
	}
	var seen []string
	var sizes []int
	after := ""
	for range 10 {
		q := domain.OrganisationQuery{After: after, Limit: 3}
		page, total, err := f.repo.ListOrganisations(ctx, q)
		if err != nil {
			t.Fatalf("ListOrganisations(%+v) = %v", q, err)
		}
		if total != 7 {
			t.Errorf("ListOrganisations(%+v) total = %d; want 7", q, total)
		}
		seen = append(seen, orgIDs(page)...)
		sizes = append(sizes, len(page))
		if len(page) < 3 {
			break
		}
		after = page[len(page)-1].ID
	}
	want := []string{"org-a", "org-b", "org-c", "org-d", "org-e", "org-f", "org-g"}
	if !slices.Equal(seen, want) || !slices.Equal(sizes, []int{3, 3, 1}) {
		t.Errorf("pages of 3 = %q in pages of %v; want %q in pages of [3 3 1]", seen, sizes, want)
	}
	f.wantOutbox(t, events...)
}

func updateOrganisationWrites(t *testing.T, f *fixture) {
	ctx := context.Background()
	orig := f.org("caf-71")
	created := f.createOrg(t, orig)
	want := *orig
	var updated *domain.Event
	got, err := f.repo.UpdateOrganisation(ctx, "caf-71", func(o *domain.Organisation) (*domain.Event, error) {
		if !sameOrganisation(o, &want) {
			t.Errorf("update got %+v; want the stored %+v", o, want)
		}
		o.DisplayName, o.Kind, o.SIRET, o.Commune, o.Address = "Caf 71", "CAF", "", "71270", ""
		o.Revision++
		o.UpdateTime = f.now().Add(789) // nanoseconds the engines do not keep
		want = *o
		want.UpdateTime = want.UpdateTime.Truncate(time.Microsecond)
		updated = f.event(domain.OrganisationUpdated, o.Name())
		updated.Organisation, updated.UpdateMask = o, []string{"display_name", "kind", "siret", "commune", "address"}
		return updated, nil
	})
	if err != nil || !sameOrganisation(got, &want) || got.Revision != 2 {
		t.Errorf("UpdateOrganisation(%q) = %+v, %v; want %+v at revision 2", "caf-71", got, err, want)
	}
	read, err := f.repo.GetOrganisation(ctx, "caf-71")
	if err != nil || !sameOrganisation(read, &want) {
		t.Errorf("GetOrganisation(%q) = %+v, %v; want %+v", "caf-71", read, err, want)
	}
	f.wantOutbox(t, created, updated)
}

func failingUpdateOrganisation(t *testing.T, f *fixture) {
	ctx := context.Background()
	orig := f.org("caf-71")
	created := f.createOrg(t, orig)
	want := *orig
	got, err := f.repo.UpdateOrganisation(ctx, "caf-71", func(o *domain.Organisation) (*domain.Event, error) {
		o.DisplayName = "Half-done"
		o.Revision++
		return nil, errRefused
	})
	if !errors.Is(err, errRefused) || got != nil {
		t.Errorf("UpdateOrganisation(%q, failing) = %v, %v; want nil, errRefused", "caf-71", got, err)
	}
	read, err := f.repo.GetOrganisation(ctx, "caf-71")
	if err != nil || !sameOrganisation(read, &want) {
		t.Errorf("GetOrganisation(%q) = %+v, %v; want unchanged %+v", "caf-71", read, err, want)
	}
	f.wantOutbox(t, created)
}

func updateMissingOrganisation(t *testing.T, f *fixture) {
	called := false
	_, err := f.repo.UpdateOrganisation(context.Background(), "caf-71", func(*domain.Organisation) (*domain.Event, error) {
		called = true
		return nil, errRefused
	})
	if !errors.Is(err, domain.ErrNotFound) || called {
		t.Errorf("UpdateOrganisation(%q) = %v, update called %v; want ErrNotFound, not called", "caf-71", err, called)
	}
	f.wantOutbox(t)
}

// softDelete deletes id through the repository as the use case does (Organisation.Delete) and
// returns the organisation as the closure left it, with the event it wrote.
func (f *fixture) softDelete(t *testing.T, id string) (*domain.Organisation, *domain.Event) {
	t.Helper()
	var want domain.Organisation
	var ev *domain.Event
	got, err := f.repo.DeleteOrganisation(context.Background(), id, func(o *domain.Organisation, members int) (*domain.Event, error) {
		if o.ID != id || members != 0 || o.Deleted() {
			t.Errorf("delete got (%q, %d members, deleted %v); want (%q, 0, false)", o.ID, members, o.Deleted(), id)
		}
		if err := o.Delete(f.now().Add(789).In(fixedParis), members); err != nil { // nanoseconds the engines do not keep
			return nil, err
		}
		want = *o
		ev = f.event(domain.OrganisationDeleted, o.Name())
		ev.Organisation = o
		return ev, nil
	})
	if err != nil {
		t.Fatalf("DeleteOrganisation(%q) = %v", id, err)
	}
	want.DeleteTime = want.DeleteTime.UTC().Truncate(time.Microsecond)
	want.UpdateTime = want.UpdateTime.UTC().Truncate(time.Microsecond)
	if !sameOrganisation(got, &want) {
		t.Errorf("DeleteOrganisation(%q) = %+v; want %+v", id, got, want)
	}
	return &want, ev
}

func deleteOrganisation(t *testing.T, f *fixture) {
	ctx := context.Background()
	created := f.createOrg(t, f.org("caf-71"))
	kept := f.createOrg(t, f.org("caf-72"))
	want, deleted := f.softDelete(t, "caf-71")
	// A soft delete: the organisation still resolves, with every field and its delete time, so
	// that what other services hold of it never points at nothing.
	read, err := f.repo.GetOrganisation(ctx, "caf-71")
	if err != nil || !sameOrganisation(read, want) || !read.Deleted() || read.Revision != 2 {
		t.Errorf("GetOrganisation(%q) after delete = %+v, %v; want %+v, deleted, at revision 2", "caf-71", read, err, want)
	}
	if other, err := f.repo.GetOrganisation(ctx, "caf-72"); err != nil || other.Deleted() {
		t.Errorf("GetOrganisation(%q) = %+v, %v; want the other organisation kept, not deleted", "caf-72", other, err)
	}
	if n := f.count(t, "organisations"); n != 2 {
		t.Errorf("organisations rows after a delete = %d; want 2 (nothing purged)", n)
	}
	f.wantOutbox(t, created, kept, deleted)
}

func listLeavesDeletedOut(t *testing.T, f *fixture) {
	ctx := context.Background()
	for _, id := range []string{"org-1", "org-2", "org-3"} {
		f.createOrg(t, f.org(id))
	}
	f.softDelete(t, "org-2")
	ids := func(q domain.OrganisationQuery) ([]string, int) {
		t.Helper()
		q.Limit = 10
		os, total, err := f.repo.ListOrganisations(ctx, q)
		if err != nil {
			t.Fatalf("ListOrganisations(%+v) = %v", q, err)
		}
		var out []string
		for _, o := range os {
			out = append(out, o.ID)
		}
		return out, total
	}
	if got, total := ids(domain.OrganisationQuery{}); !slices.Equal(got, []string{"org-1", "org-3"}) || total != 2 {
		t.Errorf("ListOrganisations() = %v (total %d); want [org-1 org-3] (2)", got, total)
	}
	if got, total := ids(domain.OrganisationQuery{Kind: "ASSOCIATION"}); !slices.Equal(got, []string{"org-1", "org-3"}) || total != 2 {
		t.Errorf("ListOrganisations(kind) = %v (total %d); want [org-1 org-3] (2)", got, total)
	}
	if got, total := ids(domain.OrganisationQuery{ShowDeleted: true}); !slices.Equal(got, []string{"org-1", "org-2", "org-3"}) || total != 3 {
		t.Errorf("ListOrganisations(show deleted) = %v (total %d); want [org-1 org-2 org-3] (3)", got, total)
	}
}

func undeleteOrganisation(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.createOrg(t, f.org("caf-71"))
	f.softDelete(t, "caf-71")
	got, err := f.repo.UpdateOrganisation(ctx, "caf-71", func(o *domain.Organisation) (*domain.Event, error) {
		if !o.Deleted() {
			t.Errorf("update got %+v; want the deleted organisation", o)
		}
		if err := o.Undelete(f.now()); err != nil {
			return nil, err
		}
		ev := f.event(domain.OrganisationUndeleted, o.Name())
		ev.Organisation = o
		return ev, nil
	})
	if err != nil || got.Deleted() {
		t.Fatalf("UpdateOrganisation(undelete) = %+v, %v; want it not deleted", got, err)
	}
	read, err := f.repo.GetOrganisation(ctx, "caf-71")
	if err != nil || read.Deleted() || read.Revision != 3 {
		t.Errorf("GetOrganisation(%q) after undelete = %+v, %v; want it not deleted, at revision 3", "caf-71", read, err)
	}
	if os, total, err := f.repo.ListOrganisations(ctx, domain.OrganisationQuery{Limit: 10}); err != nil || total != 1 || len(os) != 1 {
		t.Errorf("ListOrganisations() after undelete = %d organisations (total %d), %v; want 1", len(os), total, err)
	}
}

func deletedOrganisationKeepsItsID(t *testing.T, f *fixture) {
	f.createOrg(t, f.org("caf-71"))
	f.softDelete(t, "caf-71")
	o := f.org("caf-71")
	if _, _, err := f.repo.CreateOrganisation(context.Background(), o, f.orgCreated(o)); !errors.Is(err, domain.ErrAlreadyExists) {
		t.Errorf("CreateOrganisation(%q) over a deleted one = %v; want ErrAlreadyExists", "caf-71", err)
	}
}

func deleteOrganisationRefusedWithMembers(t *testing.T, f *fixture) {
	ctx := context.Background()
	events := []*domain.Event{
		f.createOrg(t, f.org("caf-71")),
		f.createOrg(t, f.org("caf-72")),
		f.createMember(t, f.member("chalonnais", "m-1", "caf-71", "SOCIAL")),
		f.createMember(t, f.member("maconnais", "m-1", "caf-71", "HEALTH")),
		f.createMember(t, f.member("maconnais", "m-2", "caf-72", "HEALTH")),
	}
	var sawMembers int
	_, err := f.repo.DeleteOrganisation(ctx, "caf-71", func(o *domain.Organisation, members int) (*domain.Event, error) {
		sawMembers = members
		if members > 0 {
			return nil, fmt.Errorf("%d members: %w", members, domain.ErrHasMembers)
		}
		return f.event(domain.OrganisationDeleted, o.Name()), nil
	})
	if !errors.Is(err, domain.ErrHasMembers) || sawMembers != 2 {
		t.Errorf("DeleteOrganisation(%q) = %v, check saw %d members; want ErrHasMembers, 2", "caf-71", err, sawMembers)
	}
	if _, err := f.repo.GetOrganisation(ctx, "caf-71"); err != nil {
		t.Errorf("GetOrganisation(%q) after refused delete = %v; want it kept", "caf-71", err)
	}
	f.wantOutbox(t, events...)
}

func deleteMissingOrganisation(t *testing.T, f *fixture) {
	called := false
	_, err := f.repo.DeleteOrganisation(context.Background(), "caf-71", func(*domain.Organisation, int) (*domain.Event, error) {
		called = true
		return nil, errRefused
	})
	if !errors.Is(err, domain.ErrNotFound) || called {
		t.Errorf("DeleteOrganisation(%q) = %v, check called %v; want ErrNotFound, not called", "caf-71", err, called)
	}
	f.wantOutbox(t)
}

func createMemberHandsCheckItsOrganisation(t *testing.T, f *fixture) {
	ctx := context.Background()
	org := f.org("caf-71")
	orgEv := f.createOrg(t, org)
	m := f.member("chalonnais", "m-1", "caf-71", "JUSTICE", "SOCIAL")
	m.CreateTime, m.UpdateTime = m.CreateTime.Add(123).In(fixedParis), m.UpdateTime.Add(456)
	want := *m
	want.CreateTime = want.CreateTime.Truncate(time.Microsecond)
	want.UpdateTime = want.UpdateTime.Truncate(time.Microsecond)
	ev := f.memberCreated(m)
	var checked *domain.Organisation
	got, created, err := f.repo.CreateMember(ctx, m, func(o *domain.Organisation) (*domain.Event, error) {
		checked = o
		return ev, nil
	})
	if err != nil || !created || !sameMember(got, &want) {
		t.Fatalf("CreateMember(%q) = %+v, created %v, %v; want %+v in UTC, created", want.Name(), got, created, err, want)
	}
	if !sameOrganisation(checked, org) {
		t.Errorf("check got %+v; want %+v", checked, org)
	}
	read, err := f.repo.GetMember(ctx, "chalonnais", "m-1")
	if err != nil || !sameMember(read, &want) {
		t.Errorf("GetMember(%q, %q) = %+v, %v; want %+v", "chalonnais", "m-1", read, err, want)
	}
	f.wantOutbox(t, orgEv, ev)
}

func createMemberOfMissingOrganisation(t *testing.T, f *fixture) {
	ctx := context.Background()
	orgEv := f.createOrg(t, f.org("caf-71"))
	m := f.member("chalonnais", "m-1", "caf-72", "SOCIAL")
	checked := &domain.Organisation{}
	_, created, err := f.repo.CreateMember(memberRequest("req-1", m), m, func(o *domain.Organisation) (*domain.Event, error) {
		checked = o
		return nil, errRefused
	})
	if !errors.Is(err, errRefused) || created {
		t.Errorf("CreateMember(%q) = created %v, %v; want errRefused", m.Name(), created, err)
	}
	if checked != nil {
		t.Errorf("check got %+v; want nil for a missing organisation", checked)
	}
	if _, err := f.repo.GetMember(ctx, "chalonnais", "m-1"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("GetMember(%q, %q) = %v; want ErrNotFound", "chalonnais", "m-1", err)
	}
	if n := f.count(t, "members"); n != 0 {
		t.Errorf("members = %d; want 0", n)
	}
	f.wantOutbox(t, orgEv)
}

func createTakenMemberID(t *testing.T, f *fixture) {
	ctx := context.Background()
	events := []*domain.Event{
		f.createOrg(t, f.org("caf-71")),
		f.createMember(t, f.member("chalonnais", "m-1", "caf-71", "SOCIAL")),
	}
	dup := f.member("chalonnais", "m-1", "caf-71", "HEALTH")
	_, created, err := f.repo.CreateMember(ctx, dup, func(*domain.Organisation) (*domain.Event, error) {
		return f.memberCreated(dup), nil
	})
	if !errors.Is(err, domain.ErrAlreadyExists) || created {
		t.Errorf("CreateMember(%q) again = created %v, %v; want ErrAlreadyExists", dup.Name(), created, err)
	}
	// The same id in another network is another member.
	events = append(events, f.createMember(t, f.member("maconnais", "m-1", "caf-71", "HEALTH")))
	read, err := f.repo.GetMember(ctx, "chalonnais", "m-1")
	if err != nil || !slices.Equal(read.Domains, []domain.Domain{"SOCIAL"}) {
		t.Errorf("GetMember(%q, %q) = %+v, %v; want the first member", "chalonnais", "m-1", read, err)
	}
	f.wantOutbox(t, events...)
}

func repeatedMemberRequestID(t *testing.T, f *fixture) {
	orgEv := f.createOrg(t, f.org("caf-71"))
	first := f.member("chalonnais", "m-1", "caf-71", "SOCIAL")
	want := *first
	firstEv := f.memberCreated(first)
	if _, created, err := f.repo.CreateMember(memberRequest("req-1", first), first, func(*domain.Organisation) (*domain.Event, error) {
		return firstEv, nil
	}); err != nil || !created {
		t.Fatalf("CreateMember(%q) = created %v, %v; want created", first.Name(), created, err)
	}
	// The retry of the same request, for which the server chose another id.
	second := f.member("chalonnais", "m-2", "caf-71", "SOCIAL")
	called := false
	got, created, err := f.repo.CreateMember(memberRequest("req-1", first), second, func(*domain.Organisation) (*domain.Event, error) {
		called = true
		return f.memberCreated(second), nil
	})
	if err != nil || created || !sameMember(got, &want) {
		t.Errorf("CreateMember(%q, same request) = %+v, created %v, %v; want %+v, false, nil", second.Name(), got, created, err, want)
	}
	if called {
		t.Error("check was called for a repeated request id; want the first result returned without a check")
	}
	// The same request id with another request (other domains) is refused.
	third := f.member("chalonnais", "m-3", "caf-71", "HEALTH")
	if got, created, err := f.repo.CreateMember(memberRequest("req-1", third), third, func(*domain.Organisation) (*domain.Event, error) {
		return f.memberCreated(third), nil
	}); !errors.Is(err, idempotency.ErrRequestIDReused) || created || got != nil {
		t.Errorf("CreateMember(%q, same request id, other domains) = %+v, created %v, %v; want ErrRequestIDReused", third.Name(), got, created, err)
	}
	if n := f.count(t, "members"); n != 1 {
		t.Errorf("members = %d; want 1", n)
	}
	f.wantOutbox(t, orgEv, firstEv)
	// The same request id under another network is another request: it creates.
	elsewhere := f.member("maconnais", "m-1", "caf-71", "SOCIAL")
	if _, created, err := f.repo.CreateMember(memberRequest("req-1", elsewhere), elsewhere, func(*domain.Organisation) (*domain.Event, error) {
		return f.memberCreated(elsewhere), nil
	}); err != nil || !created {
		t.Errorf("CreateMember(%q, req-1 under another network) = created %v, %v; want created", elsewhere.Name(), created, err)
	}
}

func getMissingMember(t *testing.T, f *fixture) {
	f.createOrg(t, f.org("caf-71"))
	f.createMember(t, f.member("chalonnais", "m-1", "caf-71", "SOCIAL"))
	for _, k := range [][2]string{{"chalonnais", "m-2"}, {"maconnais", "m-1"}} {
		if got, err := f.repo.GetMember(context.Background(), k[0], k[1]); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("GetMember(%q, %q) = %v, %v; want ErrNotFound", k[0], k[1], got, err)
		}
	}
}

func listMembersFilters(t *testing.T, f *fixture) {
	ctx := context.Background()
	events := []*domain.Event{
		f.createOrg(t, f.org("org-1")),
		f.createOrg(t, f.org("org-2")),
		f.createMember(t, f.member("maconnais", "m-c", "org-2", "CHILD_PROTECTION", "SECURITY")),
		f.createMember(t, f.member("chalonnais", "m-b", "org-2", "HEALTH")),
		f.createMember(t, f.member("maconnais", "m-a", "org-1", "SOCIAL")),
		f.createMember(t, f.member("chalonnais", "m-a", "org-1", "JUSTICE", "SOCIAL")),
	}
	const (
		chalA = "networks/chalonnais/members/m-a"
		chalB = "networks/chalonnais/members/m-b"
		macA  = "networks/maconnais/members/m-a"
		macC  = "networks/maconnais/members/m-c"
	)
	tests := []struct {
		q         domain.MemberQuery
		want      []string
		wantTotal int
	}{
		{domain.MemberQuery{Limit: 100}, []string{chalA, chalB, macA, macC}, 4},
		{domain.MemberQuery{Network: "chalonnais", Limit: 100}, []string{chalA, chalB}, 2},
		{domain.MemberQuery{Organisation: "org-1", Limit: 100}, []string{chalA, macA}, 2},
		{domain.MemberQuery{Domain: "SOCIAL", Limit: 100}, []string{chalA, macA}, 2},
		{domain.MemberQuery{Domain: "CHILD_PROTECTION", Limit: 100}, []string{macC}, 1},
		{domain.MemberQuery{Domain: "JUSTICE", Limit: 100}, []string{chalA}, 1},
		{domain.MemberQuery{Network: "maconnais", Domain: "SOCIAL", Limit: 100}, []string{macA}, 1},
		{domain.MemberQuery{Network: "maconnais", Organisation: "org-2", Limit: 100}, []string{macC}, 1},
		{domain.MemberQuery{Domain: "RIGHTS", Limit: 100}, nil, 0},
		{domain.MemberQuery{Network: "bresse-nord", Limit: 100}, nil, 0},
		{domain.MemberQuery{Organisation: "org-2", Limit: 1}, []string{chalB}, 2},
	}
	for _, tt := range tests {
		got, total, err := f.repo.ListMembers(ctx, tt.q)
		if err != nil {
			t.Errorf("ListMembers(%+v) = %v", tt.q, err)
			continue
		}
		if !slices.Equal(memberNames(got), tt.want) || total != tt.wantTotal {
			t.Errorf("ListMembers(%+v) = %q, total %d; want %q, total %d", tt.q, memberNames(got), total, tt.want, tt.wantTotal)
		}
	}
	f.wantOutbox(t, events...)
}

func domainFilterMatchesWholeDomains(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.createOrg(t, f.org("org-1"))
	f.createMember(t, f.member("chalonnais", "m-1", "org-1", "CHILD_PROTECTION"))
	f.createMember(t, f.member("chalonnais", "m-2", "org-1", "CHILD_PROTECTION", "HEALTH"))
	tests := []struct {
		domain domain.Domain
		want   int
	}{
		{"SOCIAL", 0},
		// Parts of a stored domain are not domains the member has.
		{"CHILD", 0},
		{"PROTECTION", 0},
		{"CHILD_PROTECTION", 2},
		{"HEALTH", 1},
	}
	for _, tt := range tests {
		q := domain.MemberQuery{Domain: tt.domain, Limit: 100}
		got, total, err := f.repo.ListMembers(ctx, q)
		if err != nil || len(got) != tt.want || total != tt.want {
			t.Errorf("ListMembers(domain %q) = %q, total %d, %v; want %d members", tt.domain, memberNames(got), total, err, tt.want)
		}
	}
}

func listMembersAcrossNetworksPages(t *testing.T, f *fixture) {
	ctx := context.Background()
	events := []*domain.Event{f.createOrg(t, f.org("org-1"))}
	for _, k := range [][2]string{
		{"maconnais", "m-b"}, {"chalonnais", "m-c"}, {"bresse-nord", "m-z"}, {"maconnais", "m-a"},
		{"chalonnais", "m-a"}, {"tournugeois", "m-a"}, {"chalonnais", "m-b"},
	} {
		events = append(events, f.createMember(t, f.member(k[0], k[1], "org-1", "SOCIAL")))
	}
	want := []string{
		"networks/bresse-nord/members/m-z",
		"networks/chalonnais/members/m-a",
		"networks/chalonnais/members/m-b",
		"networks/chalonnais/members/m-c",
		"networks/maconnais/members/m-a",
		"networks/maconnais/members/m-b",
		"networks/tournugeois/members/m-a",
	}
	var seen []string
	var sizes []int
	after := ""
	for range 10 {
		q := domain.MemberQuery{After: after, Limit: 3}
		page, total, err := f.repo.ListMembers(ctx, q)
		if err != nil {
			t.Fatalf("ListMembers(%+v) = %v", q, err)
		}
		if total != len(want) {
			t.Errorf("ListMembers(%+v) total = %d; want %d", q, total, len(want))
		}
		seen = append(seen, memberNames(page)...)
		sizes = append(sizes, len(page))
		if len(page) < 3 {
			break
		}
		after = page[len(page)-1].Name()
	}
	if !slices.Equal(seen, want) || !slices.Equal(sizes, []int{3, 3, 1}) {
		t.Errorf("pages of 3 = %q in pages of %v; want %q in pages of [3 3 1]", seen, sizes, want)
	}
	f.wantOutbox(t, events...)
}

func updateMemberWrites(t *testing.T, f *fixture) {
	ctx := context.Background()
	orig := f.member("chalonnais", "m-1", "org-1", "SOCIAL")
	events := []*domain.Event{
		f.createOrg(t, f.org("org-1")),
		f.createOrg(t, f.org("org-2")),
		f.createMember(t, orig),
	}
	want := *orig
	var updated *domain.Event
	got, err := f.repo.UpdateMember(ctx, "chalonnais", "m-1", func(m *domain.Member, orgOf func(string) (*domain.Organisation, error)) (*domain.Event, error) {
		if !sameMember(m, &want) {
			t.Errorf("update got %+v; want the stored %+v", m, want)
		}
		for id, exists := range map[string]bool{"org-2": true, "org-3": false} {
			if o, err := orgOf(id); (o != nil) != exists || err != nil || (o != nil && o.ID != id) {
				t.Errorf("orgOf(%q) = %+v, %v; want it found: %v", id, o, err, exists)
			}
		}
		m.Organisation, m.DisplayName, m.Role = "org-2", "Renamed", "coordinatrice"
		m.Domains = []domain.Domain{"HEALTH", "RIGHTS"}
		m.Email, m.Phone = "", ""
		m.Revision++
		m.UpdateTime = f.now().Add(789) // nanoseconds the engines do not keep
		want = *m
		want.UpdateTime = want.UpdateTime.Truncate(time.Microsecond)
		updated = f.event(domain.MemberUpdated, m.Name())
		updated.Member, updated.UpdateMask = m, domain.MemberFields
		return updated, nil
	})
	if err != nil || !sameMember(got, &want) || got.Revision != 2 {
		t.Errorf("UpdateMember = %+v, %v; want %+v at revision 2", got, err, want)
	}
	read, err := f.repo.GetMember(ctx, "chalonnais", "m-1")
	if err != nil || !sameMember(read, &want) {
		t.Errorf("GetMember(%q, %q) = %+v, %v; want %+v", "chalonnais", "m-1", read, err, want)
	}
	f.wantOutbox(t, append(events, updated)...)
}

func failingUpdateMember(t *testing.T, f *fixture) {
	ctx := context.Background()
	orig := f.member("chalonnais", "m-1", "org-1", "SOCIAL")
	events := []*domain.Event{f.createOrg(t, f.org("org-1")), f.createMember(t, orig)}
	want := *orig
	got, err := f.repo.UpdateMember(ctx, "chalonnais", "m-1", func(m *domain.Member, _ func(string) (*domain.Organisation, error)) (*domain.Event, error) {
		m.DisplayName = "Half-done"
		m.Revision++
		return nil, errRefused
	})
	if !errors.Is(err, errRefused) || got != nil {
		t.Errorf("UpdateMember(failing) = %v, %v; want nil, errRefused", got, err)
	}
	read, err := f.repo.GetMember(ctx, "chalonnais", "m-1")
	if err != nil || !sameMember(read, &want) {
		t.Errorf("GetMember(%q, %q) = %+v, %v; want unchanged %+v", "chalonnais", "m-1", read, err, want)
	}
	f.wantOutbox(t, events...)
}

func updateMissingMember(t *testing.T, f *fixture) {
	called := false
	_, err := f.repo.UpdateMember(context.Background(), "chalonnais", "m-1", func(*domain.Member, func(string) (*domain.Organisation, error)) (*domain.Event, error) {
		called = true
		return nil, errRefused
	})
	if !errors.Is(err, domain.ErrNotFound) || called {
		t.Errorf("UpdateMember(%q, %q) = %v, update called %v; want ErrNotFound, not called", "chalonnais", "m-1", err, called)
	}
	f.wantOutbox(t)
}

func deleteMember(t *testing.T, f *fixture) {
	ctx := context.Background()
	events := []*domain.Event{
		f.createOrg(t, f.org("org-1")),
		f.createMember(t, f.member("chalonnais", "m-1", "org-1", "SOCIAL")),
		f.createMember(t, f.member("maconnais", "m-1", "org-1", "SOCIAL")),
	}
	var deleted *domain.Event
	err := f.repo.DeleteMember(ctx, "chalonnais", "m-1", func(m *domain.Member) (*domain.Event, error) {
		if m.Name() != "networks/chalonnais/members/m-1" {
			t.Errorf("check got %q; want %q", m.Name(), "networks/chalonnais/members/m-1")
		}
		deleted = f.event(domain.MemberDeleted, m.Name())
		return deleted, nil
	})
	if err != nil {
		t.Fatalf("DeleteMember(%q, %q) = %v", "chalonnais", "m-1", err)
	}
	if _, err := f.repo.GetMember(ctx, "chalonnais", "m-1"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("GetMember(%q, %q) after delete = %v; want ErrNotFound", "chalonnais", "m-1", err)
	}
	if _, err := f.repo.GetMember(ctx, "maconnais", "m-1"); err != nil {
		t.Errorf("GetMember(%q, %q) = %v; want the other network's member kept", "maconnais", "m-1", err)
	}
	f.wantOutbox(t, append(events, deleted)...)
}

func refusedDeleteMember(t *testing.T, f *fixture) {
	ctx := context.Background()
	events := []*domain.Event{
		f.createOrg(t, f.org("org-1")),
		f.createMember(t, f.member("chalonnais", "m-1", "org-1", "SOCIAL")),
	}
	err := f.repo.DeleteMember(ctx, "chalonnais", "m-1", func(*domain.Member) (*domain.Event, error) {
		return nil, errRefused
	})
	if !errors.Is(err, errRefused) {
		t.Errorf("DeleteMember(refused) = %v; want errRefused", err)
	}
	if _, err := f.repo.GetMember(ctx, "chalonnais", "m-1"); err != nil {
		t.Errorf("GetMember(%q, %q) after refused delete = %v; want it kept", "chalonnais", "m-1", err)
	}
	missing := f.repo.DeleteMember(ctx, "chalonnais", "m-2", func(*domain.Member) (*domain.Event, error) {
		t.Error("check called for a missing member")
		return nil, errRefused
	})
	if !errors.Is(missing, domain.ErrNotFound) {
		t.Errorf("DeleteMember(%q, %q) = %v; want ErrNotFound", "chalonnais", "m-2", missing)
	}
	f.wantOutbox(t, events...)
}

func seededAndMarkSeeded(t *testing.T, f *fixture) {
	ctx := context.Background()
	if done, err := f.repo.Seeded(ctx, "seed-a"); done || err != nil {
		t.Errorf("Seeded(%q) before marking = %v, %v; want false, nil", "seed-a", done, err)
	}
	for range 2 {
		if err := f.repo.MarkSeeded(ctx, "seed-a", f.now()); err != nil {
			t.Errorf("MarkSeeded(%q) = %v", "seed-a", err)
		}
	}
	tests := []struct {
		name string
		want bool
	}{{"seed-a", true}, {"seed-b", false}}
	for _, tt := range tests {
		if done, err := f.repo.Seeded(ctx, tt.name); done != tt.want || err != nil {
			t.Errorf("Seeded(%q) = %v, %v; want %v, nil", tt.name, done, err, tt.want)
		}
	}
	f.wantOutbox(t)
}

func concurrentUpdatesLoseNone(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.createOrg(t, f.org("caf-71"))
	const writers = 20
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Go(func() {
			_, err := f.repo.UpdateOrganisation(ctx, "caf-71", func(o *domain.Organisation) (*domain.Event, error) {
				o.Revision++
				o.UpdateTime = f.now()
				ev := f.event(domain.OrganisationUpdated, o.Name())
				ev.Organisation = o
				return ev, nil
			})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent UpdateOrganisation = %v", err)
		}
	}
	got, err := f.repo.GetOrganisation(ctx, "caf-71")
	if err != nil || got.Revision != writers+1 {
		t.Errorf("GetOrganisation(%q) after %d updates = revision %v, %v; want %d", "caf-71", writers, revisionOf(got), err, writers+1)
	}
	updates := 0
	for _, r := range f.outbox(t) {
		if r.Subject == "vif.directory.v1.organisation.updated" && len(r.Payload) > 0 {
			updates++
		}
	}
	if n := len(f.outbox(t)); updates != writers || n != writers+1 {
		t.Errorf("outbox holds %d events, %d updates; want %d, %d", n, updates, writers+1, writers)
	}
}

func revisionOf(o *domain.Organisation) any {
	if o == nil {
		return nil
	}
	return o.Revision
}

func concurrentCreatesOneRequestID(t *testing.T, f *fixture) {
	concurrentCreates(t, f, func(i int) string { return fmt.Sprintf("org-%d", i) })
}

func concurrentCreatesOneIDOneRequestID(t *testing.T, f *fixture) {
	concurrentCreates(t, f, func(int) string { return "caf-71" })
}

// concurrentCreates has 10 goroutines create an organisation (with the id id(i)) under one
// request id: one creates it, every other gets it back as already created.
func concurrentCreates(t *testing.T, f *fixture, id func(i int) string) {
	const writers = 10
	type result struct {
		o       *domain.Organisation
		created bool
		err     error
	}
	results := make([]result, writers)
	var wg sync.WaitGroup
	for i := range writers {
		o := f.org(id(i))
		o.DisplayName = "Organisation under one request" // one request, whatever id each retry chose
		ev := f.orgCreated(o)
		wg.Go(func() {
			got, created, err := f.repo.CreateOrganisation(orgRequest("req-1", o), o, ev)
			results[i] = result{got, created, err}
		})
	}
	wg.Wait()
	var winner *domain.Organisation
	for _, r := range results {
		if r.err == nil && r.created {
			if winner != nil {
				t.Errorf("CreateOrganisation created both %q and %q under one request id", winner.ID, r.o.ID)
			}
			winner = r.o
		}
	}
	if winner == nil {
		t.Fatalf("no CreateOrganisation created the organisation: %+v", results)
	}
	for i, r := range results {
		if r.err != nil || r.o == nil || r.o.ID != winner.ID {
			t.Errorf("CreateOrganisation #%d = %v, created %v, %v; want %q", i, r.o, r.created, r.err, winner.ID)
		}
	}
	if n := f.count(t, "organisations"); n != 1 {
		t.Errorf("organisations = %d; want 1", n)
	}
	if n := f.count(t, "outbox"); n != 1 {
		t.Errorf("outbox holds %d events; want 1", n)
	}
}

func concurrentMemberCreates(t *testing.T, f *fixture) {
	f.createOrg(t, f.org("org-1"))
	const writers = 10
	errs := make([]error, writers)
	names := make([]string, writers)
	var created atomic.Int64
	var wg sync.WaitGroup
	for i := range writers {
		m := f.member("chalonnais", "m-1", "org-1", "SOCIAL")
		ev := f.memberCreated(m)
		wg.Go(func() {
			got, ok, err := f.repo.CreateMember(memberRequest("req-1", m), m, func(*domain.Organisation) (*domain.Event, error) { return ev, nil })
			if ok {
				created.Add(1)
			}
			if got != nil {
				names[i] = got.Name()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i := range writers {
		if errs[i] != nil || names[i] != "networks/chalonnais/members/m-1" {
			t.Errorf("CreateMember #%d = %q, %v; want %q", i, names[i], errs[i], "networks/chalonnais/members/m-1")
		}
	}
	if n := created.Load(); n != 1 {
		t.Errorf("CreateMember reported created %d times; want 1", n)
	}
	if n := f.count(t, "members"); n != 1 {
		t.Errorf("members = %d; want 1", n)
	}
	if n := f.count(t, "outbox"); n != 2 {
		t.Errorf("outbox holds %d events; want 2 (the organisation's and the member's)", n)
	}
}

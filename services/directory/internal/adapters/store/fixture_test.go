package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/directory/internal/adapters/grpcapi"
	"github.com/vif71/vif/services/directory/internal/adapters/store"
	"github.com/vif71/vif/services/directory/internal/domain"
)

// t0 is where the fixture's clock starts, to the microsecond: what both engines keep. The
// round-trip cases add nanoseconds, as time.Now has, where they check that precision.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

// fixedParis is a zone other than UTC, for times a caller gives in local time.
var fixedParis = time.FixedZone("CET", 60*60)

// fixture is one fresh database behind the store, with a deterministic clock and id generator
// (both safe for the concurrency cases).
type fixture struct {
	db      *storage.DB
	repo    domain.Repository
	ticks   atomic.Int64
	ids     atomic.Int64
	commits atomic.Int64 // calls to the store's committed hook
}

func newFixture(t testing.TB, db *storage.DB) *fixture {
	t.Helper()
	f := &fixture{db: db}
	repo, err := store.Open(context.Background(), db, grpcapi.EncodeEvent, func() { f.commits.Add(1) })
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	f.repo = repo
	return f
}

// now advances the clock by one second and returns it.
func (f *fixture) now() time.Time {
	return t0.Add(time.Duration(f.ticks.Add(1)) * time.Second)
}

func (f *fixture) eventID() string { return fmt.Sprintf("ev-%04d", f.ids.Add(1)) }

func (f *fixture) event(typ domain.EventType, name string) *domain.Event {
	return &domain.Event{ID: f.eventID(), Type: typ, Time: f.now(), Name: name}
}

// org returns a new organisation with every field set.
func (f *fixture) org(id string) *domain.Organisation {
	now := f.now()
	return &domain.Organisation{
		ID:           id,
		DisplayName:  "Organisation " + id,
		Kind:         "ASSOCIATION",
		SIRET:        "73282932000074",
		Commune:      "71076",
		Address:      "1 place de l'Hôtel de Ville, 71100 Chalon-sur-Saône",
		Illustrative: true,
		Meta:         resource.Meta{Revision: 1, CreateTime: now, UpdateTime: now},
	}
}

func (f *fixture) orgCreated(o *domain.Organisation) *domain.Event {
	ev := f.event(domain.OrganisationCreated, o.Name())
	ev.Organisation = o
	return ev
}

// createOrg stores o and returns the event it was written with.
// admin is the caller of the tests' keyed writes, as the gRPC edge names a token's bearer.
const admin = `role="admin" network="" organisation="" sub="admin"`

// keyed returns a context carrying the idempotency key the gRPC edge derives from a request of
// caller to method under parent, with requestID and content body: no key when requestID is "".
func keyed(caller, requestID, method, parent, body string) context.Context {
	if requestID == "" {
		return context.Background()
	}
	return idempotency.NewContext(context.Background(), idempotency.Key{
		Caller: caller, Method: method, Parent: parent, RequestID: requestID, Fingerprint: []byte(body),
	})
}

// orgRequest is the context of an admin's CreateOrganisation with requestID for o. The id is not
// part of the request (the server chose it), so retries that chose other ids are one request.
func orgRequest(requestID string, o *domain.Organisation) context.Context {
	return keyed(admin, requestID, "/vif.directory.v1.DirectoryService/CreateOrganisation", "",
		fmt.Sprint(o.DisplayName, o.Kind, o.SIRET, o.Commune, o.Address))
}

// memberRequest is the context of an admin's CreateMember with requestID for m.
func memberRequest(requestID string, m *domain.Member) context.Context {
	return keyed(admin, requestID, "/vif.directory.v1.DirectoryService/CreateMember", "networks/"+m.Network,
		fmt.Sprint(m.ID, m.Organisation, m.DisplayName, m.Role, m.Domains, m.Email, m.Phone))
}

func (f *fixture) createOrg(t *testing.T, o *domain.Organisation) *domain.Event {
	t.Helper()
	ev := f.orgCreated(o)
	if _, created, err := f.repo.CreateOrganisation(context.Background(), o, ev); err != nil || !created {
		t.Fatalf("CreateOrganisation(%q) = created %v, %v; want created, nil", o.ID, created, err)
	}
	return ev
}

// member returns a new member with every field set.
func (f *fixture) member(network, id, org string, domains ...domain.Domain) *domain.Member {
	now := f.now()
	return &domain.Member{
		Network:      network,
		ID:           id,
		Organisation: org,
		DisplayName:  "Member " + id,
		Role:         "référente",
		Domains:      domains,
		Email:        id + "@example.org",
		Phone:        "+33 3 85 00 00 00",
		Meta:         resource.Meta{Revision: 1, CreateTime: now, UpdateTime: now},
	}
}

func (f *fixture) memberCreated(m *domain.Member) *domain.Event {
	ev := f.event(domain.MemberCreated, m.Name())
	ev.Member = m
	return ev
}

// createMember stores m, its organisation being required to exist, and returns its event.
func (f *fixture) createMember(t *testing.T, m *domain.Member) *domain.Event {
	t.Helper()
	ev := f.memberCreated(m)
	_, created, err := f.repo.CreateMember(context.Background(), m, func(org *domain.Organisation) (*domain.Event, error) {
		if org == nil {
			return nil, fmt.Errorf("organisation %q not found", m.Organisation)
		}
		return ev, nil
	})
	if err != nil || !created {
		t.Fatalf("CreateMember(%q) = created %v, %v; want created, nil", m.Name(), created, err)
	}
	return ev
}

// outboxRow is what the tests read back from the outbox table.
type outboxRow struct {
	ID, Subject string
	Payload     []byte
}

func (f *fixture) outbox(t *testing.T) []outboxRow {
	t.Helper()
	rows, err := f.db.QueryContext(context.Background(), `SELECT id, subject, payload FROM outbox ORDER BY seq`)
	if err != nil {
		t.Fatalf("read outbox: %v", err)
	}
	defer rows.Close()
	var out []outboxRow
	for rows.Next() {
		var r outboxRow
		if err := rows.Scan(&r.ID, &r.Subject, &r.Payload); err != nil {
			t.Fatalf("read outbox: %v", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read outbox: %v", err)
	}
	return out
}

// wantOutbox checks that the outbox holds exactly want, in order, each with its subject and a
// payload, and that the store signalled one commit per event (every write here has one).
func (f *fixture) wantOutbox(t *testing.T, want ...*domain.Event) {
	t.Helper()
	got := f.outbox(t)
	if len(got) != len(want) {
		t.Errorf("outbox holds %d events %v; want %d", len(got), subjects(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		wantSubject := grpcapi.SubjectPrefix + string(want[i].Type)
		if got[i].ID != want[i].ID || got[i].Subject != wantSubject {
			t.Errorf("outbox[%d] = (%q, %q); want (%q, %q)", i, got[i].ID, got[i].Subject, want[i].ID, wantSubject)
		}
		if len(got[i].Payload) == 0 {
			t.Errorf("outbox[%d] (%q) has an empty payload", i, got[i].ID)
		}
	}
	if n := f.commits.Load(); n != int64(len(want)) {
		t.Errorf("committed hook called %d times; want %d", n, len(want))
	}
}

func subjects(rows []outboxRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Subject
	}
	return out
}

// count returns the number of rows of table.
func (f *fixture) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := f.db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// sameOrganisation reports whether got equals want field by field, with got's times in UTC.
func sameOrganisation(got, want *domain.Organisation) bool {
	return got != nil && want != nil &&
		got.ID == want.ID && got.DisplayName == want.DisplayName && got.Kind == want.Kind &&
		got.SIRET == want.SIRET && got.Commune == want.Commune && got.Address == want.Address &&
		got.Illustrative == want.Illustrative && got.Revision == want.Revision &&
		got.CreateTime.Equal(want.CreateTime) && got.UpdateTime.Equal(want.UpdateTime) &&
		got.DeleteTime.Equal(want.DeleteTime) &&
		got.CreateTime.Location() == time.UTC && got.UpdateTime.Location() == time.UTC &&
		(got.DeleteTime.IsZero() || got.DeleteTime.Location() == time.UTC)
}

// sameMember reports whether got equals want field by field, with got's times in UTC.
func sameMember(got, want *domain.Member) bool {
	return got != nil && want != nil &&
		got.Network == want.Network && got.ID == want.ID && got.Organisation == want.Organisation &&
		got.DisplayName == want.DisplayName && got.Role == want.Role &&
		slices.Equal(got.Domains, want.Domains) && got.Email == want.Email && got.Phone == want.Phone &&
		got.Revision == want.Revision &&
		got.CreateTime.Equal(want.CreateTime) && got.UpdateTime.Equal(want.UpdateTime) &&
		got.CreateTime.Location() == time.UTC && got.UpdateTime.Location() == time.UTC
}

func orgIDs(orgs []*domain.Organisation) []string {
	out := make([]string, len(orgs))
	for i, o := range orgs {
		out[i] = o.ID
	}
	return out
}

func memberNames(ms []*domain.Member) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Name()
	}
	return out
}

package store_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/funding/internal/adapters/store"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// t0 is where the fixture's clock starts, to the microsecond: what both engines keep. The
// round-trip cases add nanoseconds, as time.Now has, where they check that precision.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

// fixedParis is a zone other than UTC, for times a caller gives in local time.
var fixedParis = time.FixedZone("CET", 60*60)

// officer is the caller of the tests' keyed writes, as the gRPC edge names a token's bearer.
const officer = `role="finance" network="" organisation="" sub="finance"`

// keyed returns a context carrying the idempotency key the gRPC edge derives from a request to
// method under parent with requestID and content body: no key when requestID is "".
func keyed(requestID, method, parent, body string) context.Context {
	if requestID == "" {
		return context.Background()
	}
	return idempotency.NewContext(context.Background(), idempotency.Key{
		Caller: officer, Method: method, Parent: parent, RequestID: requestID, Fingerprint: []byte(body),
	})
}

// The contexts of a create with requestID for a resource. Ids are left out of the requests'
// fingerprints (the server may choose them), so retries that chose other ids are one request.
func funderRequest(requestID string, fu *domain.Funder) context.Context {
	return keyed(requestID, "/vif.funding.v1.FundingService/CreateFunder", "",
		fmt.Sprint(fu.DisplayName, fu.Kind, fu.EPCI, fu.Commune, fu.Organisation, fu.SIRET))
}

func postRequest(requestID string, p *domain.Post) context.Context {
	return keyed(requestID, "/vif.funding.v1.FundingService/CreatePost", "",
		fmt.Sprint(p.DisplayName, p.Network, p.HostOrganisation, p.FTEThousandths, p.StartDate, p.EndDate))
}

func planRequest(requestID string, p *domain.Plan) context.Context {
	return keyed(requestID, "/vif.funding.v1.FundingService/CreateFundingPlan", "posts/"+p.Post,
		fmt.Sprint(p.Year, p.AnnualCostCents, p.StateShareBP, p.Rule, p.Shares, p.DepartementShareBP))
}

func agreementRequest(requestID string, a *domain.Agreement) context.Context {
	return keyed(requestID, "/vif.funding.v1.FundingService/CreateAgreement", "",
		fmt.Sprint(a.Post, a.Year, a.Purpose))
}

// paymentRequest is the context of a RecordPayment with requestID of cents with reference on the
// contribution of agreement and funder (its parent).
func paymentRequest(requestID, agreement, funder string, cents int64, reference string) context.Context {
	return keyed(requestID, "/vif.funding.v1.FundingService/RecordPayment",
		"agreements/"+agreement+"/contributions/"+funder, fmt.Sprint(cents, reference))
}

const subjectPrefix = "vif.funding.v1."

// encodeEvent stands in for the gRPC adapter's encoder: the payload is the event type as a
// StringValue, which is enough to see that every write added its own event to the outbox.
func encodeEvent(ev *domain.Event) (outbox.Event, error) {
	return outbox.Event{
		ID:      ev.ID,
		Subject: subjectPrefix + string(ev.Type),
		Source:  "/vif/funding",
		Time:    ev.Time,
		Payload: wrapperspb.String(string(ev.Type)),
	}, nil
}

// fixture is one fresh database behind the store, with a deterministic clock and id generator
// (both safe for the concurrency cases), and the events the store has accepted so far.
type fixture struct {
	db      *storage.DB
	repo    domain.Repository
	ticks   atomic.Int64
	ids     atomic.Int64
	commits atomic.Int64 // calls to the store's committed hook

	mu      sync.Mutex
	written []*domain.Event // events of the writes that succeeded, in commit order
}

func newFixture(t *testing.T, db *storage.DB) *fixture {
	t.Helper()
	f := &fixture{db: db}
	repo, err := store.Open(context.Background(), db, encodeEvent, func() { f.commits.Add(1) })
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

func (f *fixture) event(typ domain.EventType) *domain.Event {
	return &domain.Event{ID: fmt.Sprintf("ev-%04d", f.ids.Add(1)), Type: typ, Time: f.now()}
}

// wrote records events the store accepted, for checkOutbox.
func (f *fixture) wrote(events ...*domain.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.written = append(f.written, events...)
}

// --- funders -------------------------------------------------------------------------------

func (f *fixture) funder(id string, kind domain.FunderKind) *domain.Funder {
	now := f.now()
	fu := &domain.Funder{
		ID:           id,
		DisplayName:  "Funder " + id,
		Kind:         kind,
		Organisation: "org-" + id,
		SIRET:        "21710001200018",
		Illustrative: true,
		Meta:         resource.Meta{Revision: 1, CreateTime: now, UpdateTime: now},
	}
	switch kind {
	case domain.KindEPCI:
		fu.EPCI = "2000" + id
	case domain.KindCommune:
		fu.Commune = "71076"
	}
	return fu
}

func (f *fixture) funderCreated(fu *domain.Funder) *domain.Event {
	ev := f.event(domain.FunderCreated)
	ev.Funder = fu
	return ev
}

func (f *fixture) createFunder(t *testing.T, fu *domain.Funder) {
	t.Helper()
	ev := f.funderCreated(fu)
	if _, created, err := f.repo.CreateFunder(context.Background(), fu, ev); err != nil || !created {
		t.Fatalf("CreateFunder(%q) = created %v, %v; want created, nil", fu.ID, created, err)
	}
	f.wrote(ev)
}

// The funders of the fixture's plans.
const (
	etat = "etat"
	cd71 = "cd71"
	ccA  = "cc-a"
	ccB  = "cc-b"
)

// createFunders stores the four funders the fixture's plans name.
func (f *fixture) createFunders(t *testing.T) {
	t.Helper()
	f.createFunder(t, f.funder(etat, domain.KindState))
	f.createFunder(t, f.funder(cd71, domain.KindDepartement))
	f.createFunder(t, f.funder(ccA, domain.KindEPCI))
	f.createFunder(t, f.funder(ccB, domain.KindEPCI))
}

// --- posts ---------------------------------------------------------------------------------

func (f *fixture) post(id string) *domain.Post {
	now := f.now()
	return &domain.Post{
		ID:               id,
		DisplayName:      "ISCG " + id,
		Network:          "chalonnais",
		HostOrganisation: "gendarmerie-71",
		FTEThousandths:   1000,
		StartDate:        "2024-01-01",
		SIRET:            "71000001900012",
		Illustrative:     true,
		Meta:             resource.Meta{Revision: 1, CreateTime: now, UpdateTime: now},
	}
}

func (f *fixture) postCreated(p *domain.Post) *domain.Event {
	ev := f.event(domain.PostCreated)
	ev.Post = p
	return ev
}

func (f *fixture) createPost(t *testing.T, p *domain.Post) {
	t.Helper()
	ev := f.postCreated(p)
	if _, created, err := f.repo.CreatePost(context.Background(), p, ev); err != nil || !created {
		t.Fatalf("CreatePost(%q) = created %v, %v; want created, nil", p.ID, created, err)
	}
	f.wrote(ev)
}

// --- plans ---------------------------------------------------------------------------------

// plan returns an explicit-rule plan of 1 000,00 € naming etat, cd71 and cc-a, with the
// contributions the domain computes for it.
func (f *fixture) plan(post string, year int32) *domain.Plan {
	now := f.now()
	return &domain.Plan{
		Post:            post,
		Year:            year,
		AnnualCostCents: 100_000,
		StateShareBP:    3300,
		StateFunder:     etat,
		Rule:            domain.RuleExplicit,
		Shares:          []domain.Share{{Funder: cd71, BP: 6000}, {Funder: ccA, BP: 4000}},
		Contributions: []domain.PlannedContribution{
			{Funder: etat, Kind: domain.KindState, AmountCents: 33_000},
			{Funder: cd71, Kind: domain.KindDepartement, AmountCents: 40_200},
			{Funder: ccA, Kind: domain.KindEPCI, AmountCents: 26_800},
		},
		Illustrative: true,
		Meta:         resource.Meta{Revision: 1, CreateTime: now, UpdateTime: now},
	}
}

func (f *fixture) planCreated(p *domain.Plan) *domain.Event {
	ev := f.event(domain.PlanCreated)
	ev.Plan = p
	return ev
}

// approvePlan is a check that approves a plan with ev.
func approvePlan(ev *domain.Event) func(map[string]*domain.Funder) (*domain.Event, error) {
	return func(map[string]*domain.Funder) (*domain.Event, error) { return ev, nil }
}

func (f *fixture) createPlan(t *testing.T, p *domain.Plan) {
	t.Helper()
	ev := f.planCreated(p)
	if _, created, err := f.repo.CreatePlan(context.Background(), p, approvePlan(ev)); err != nil || !created {
		t.Fatalf("CreatePlan(%q) = created %v, %v; want created, nil", p.Name(), created, err)
	}
	f.wrote(ev)
}

// --- agreements and contributions ----------------------------------------------------------

func (f *fixture) agreement(id, post string, year int32) *domain.Agreement {
	now := f.now()
	return &domain.Agreement{
		ID:         id,
		Post:       post,
		Year:       year,
		State:      domain.StateDraft,
		Reference:  "CONV-" + id,
		Purpose:    "Financement du poste ISCG " + post,
		TotalCents: 100_000,
		Meta:       resource.Meta{Revision: 1, CreateTime: now, UpdateTime: now},
	}
}

func (f *fixture) agreementCreated(a *domain.Agreement) *domain.Event {
	ev := f.event(domain.AgreementCreated)
	ev.Agreement = a
	return ev
}

func (f *fixture) createAgreement(t *testing.T, a *domain.Agreement) {
	t.Helper()
	ev := f.agreementCreated(a)
	_, created, err := f.repo.CreateAgreement(context.Background(), a, func(*domain.Plan, bool) (*domain.Event, error) {
		return ev, nil
	})
	if err != nil || !created {
		t.Fatalf("CreateAgreement(%q) = created %v, %v; want created, nil", a.ID, created, err)
	}
	f.wrote(ev)
}

// opened returns the contributions signing a agreement under plan opens.
func (f *fixture) opened(a *domain.Agreement, plan *domain.Plan) []*domain.Contribution {
	now := f.now()
	var out []*domain.Contribution
	for _, pc := range plan.Contributions {
		out = append(out, &domain.Contribution{
			Agreement:   a.ID,
			Funder:      pc.Funder,
			FunderKind:  pc.Kind,
			Year:        a.Year,
			AmountCents: pc.AmountCents,
			Revision:    1,
			UpdateTime:  now,
		})
	}
	return out
}

// signChange signs the agreement it is given and opens its plan's contributions; it reports
// them through opened.
func (f *fixture) signChange(opened *[]*domain.Contribution, ev **domain.Event) func(*domain.Agreement, *domain.Plan) ([]*domain.Contribution, *domain.Event, error) {
	return func(a *domain.Agreement, plan *domain.Plan) ([]*domain.Contribution, *domain.Event, error) {
		prev := a.State
		a.State, a.SignDate = domain.StateSigned, "2026-02-01"
		a.Revision++
		a.UpdateTime = f.now()
		*opened = f.opened(a, plan)
		*ev = f.event(domain.AgreementSigned)
		(*ev).Agreement, (*ev).PreviousState = a, prev
		return *opened, *ev, nil
	}
}

// sign signs agreement id and returns the contributions it opened.
func (f *fixture) sign(t *testing.T, id string) []*domain.Contribution {
	t.Helper()
	var opened []*domain.Contribution
	var ev *domain.Event
	if _, err := f.repo.TransitionAgreement(context.Background(), id, f.signChange(&opened, &ev)); err != nil {
		t.Fatalf("TransitionAgreement(%q, sign) = %v", id, err)
	}
	f.wrote(ev)
	return opened
}

// signedAgreement stores the fixture's funders and a post when missing, its plan for year and
// a signed agreement id for it, and returns the contributions it opened.
func (f *fixture) signedAgreement(t *testing.T, id, post string, year int32) []*domain.Contribution {
	t.Helper()
	f.planned(t, post, year)
	f.createAgreement(t, f.agreement(id, post, year))
	return f.sign(t, id)
}

// payChange records a payment of cents with ev.
func (f *fixture) payChange(cents int64, reference string, ev **domain.Event) func(*domain.Contribution, domain.AgreementState) (*domain.Event, error) {
	return func(c *domain.Contribution, _ domain.AgreementState) (*domain.Event, error) {
		p := domain.Payment{AmountCents: cents, Date: "2026-04-01", Reference: reference}
		c.PaidCents += cents
		c.Payments = append(c.Payments, p)
		c.Revision++
		c.UpdateTime = f.now()
		*ev = f.event(domain.PaymentRecorded)
		(*ev).Contribution, (*ev).Payment = c, &p
		return *ev, nil
	}
}

// --- the outbox and the tables -------------------------------------------------------------

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

// checkOutbox checks that the outbox holds exactly the events of the writes that succeeded, in
// order, each with its subject and a payload, and that the store signalled one commit per
// event (every write here has one).
func (f *fixture) checkOutbox(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	want := append([]*domain.Event(nil), f.written...)
	f.mu.Unlock()
	got := f.outbox(t)
	if len(got) != len(want) {
		t.Errorf("outbox holds %d events %v; want %d %v", len(got), outboxSubjects(got), len(want), eventSubjects(want))
	}
	for i := range min(len(got), len(want)) {
		wantSubject := subjectPrefix + string(want[i].Type)
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

func outboxSubjects(rows []outboxRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Subject
	}
	return out
}

func eventSubjects(events []*domain.Event) []string {
	out := make([]string, len(events))
	for i, ev := range events {
		out[i] = subjectPrefix + string(ev.Type)
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

// --- comparisons ---------------------------------------------------------------------------

// sameTimes reports whether got's times are want's instants, in UTC.
func sameTimes(got, want []time.Time) bool {
	for i := range got {
		if !got[i].Equal(want[i]) || got[i].Location() != time.UTC {
			return false
		}
	}
	return true
}

// same reports whether got equals want field by field once times (compared by sameTimes) and
// empty lists (nil or not) are set aside by clear.
func same[T any](got, want *T, times func(*T) []*time.Time, clear func(*T)) bool {
	if got == nil || want == nil {
		return got == want
	}
	g, w := *got, *want
	gt, wt := times(&g), times(&w)
	var gv, wv []time.Time
	for i := range gt {
		gv, wv = append(gv, *gt[i]), append(wv, *wt[i])
		*gt[i], *wt[i] = time.Time{}, time.Time{}
	}
	if clear != nil {
		clear(&g)
		clear(&w)
	}
	return sameTimes(gv, wv) && reflect.DeepEqual(g, w)
}

func sameFunder(got, want *domain.Funder) bool {
	return same(got, want, func(f *domain.Funder) []*time.Time { return []*time.Time{&f.CreateTime, &f.UpdateTime} }, nil)
}

func samePost(got, want *domain.Post) bool {
	return same(got, want, func(p *domain.Post) []*time.Time { return []*time.Time{&p.CreateTime, &p.UpdateTime} }, nil)
}

func samePlan(got, want *domain.Plan) bool {
	return same(got, want, func(p *domain.Plan) []*time.Time { return []*time.Time{&p.CreateTime, &p.UpdateTime} },
		func(p *domain.Plan) {
			if len(p.Shares) == 0 {
				p.Shares = nil
			}
			if len(p.EPCIFunders) == 0 {
				p.EPCIFunders = nil
			}
			if len(p.Contributions) == 0 {
				p.Contributions = nil
			}
		})
}

func sameAgreement(got, want *domain.Agreement) bool {
	return same(got, want, func(a *domain.Agreement) []*time.Time { return []*time.Time{&a.CreateTime, &a.UpdateTime} }, nil)
}

func sameContribution(got, want *domain.Contribution) bool {
	return same(got, want, func(c *domain.Contribution) []*time.Time { return []*time.Time{&c.UpdateTime} },
		func(c *domain.Contribution) {
			if len(c.Payments) == 0 {
				c.Payments = nil
			}
		})
}

// The helpers below give the resume key of each item, as the lists take it in Query.After.
func funderIDs(fs []*domain.Funder) []string {
	out := make([]string, len(fs))
	for i, x := range fs {
		out[i] = x.ID
	}
	return out
}

func postIDs(ps []*domain.Post) []string {
	out := make([]string, len(ps))
	for i, x := range ps {
		out[i] = x.ID
	}
	return out
}

func planKeys(ps []*domain.Plan) []string {
	out := make([]string, len(ps))
	for i, x := range ps {
		out[i] = fmt.Sprintf("%s/%d", x.Post, x.Year)
	}
	return out
}

func agreementIDs(as []*domain.Agreement) []string {
	out := make([]string, len(as))
	for i, x := range as {
		out[i] = x.ID
	}
	return out
}

func contributionKeys(cs []*domain.Contribution) []string {
	out := make([]string, len(cs))
	for i, x := range cs {
		out[i] = x.Agreement + "/" + x.Funder
	}
	return out
}

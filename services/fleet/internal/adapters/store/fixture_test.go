package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/fleet/internal/adapters/store"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

// t0 is where the fixture's clock starts, to the microsecond: what both engines keep. The
// round-trip cases add nanoseconds, as time.Now has, where they check that precision.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

// fixedParis is a zone other than UTC, for times a caller gives in local time.
var fixedParis = time.FixedZone("CET", 60*60)

const subjectPrefix = "vif.fleet.v1."

// encodeEvent stands in for the gRPC adapter's encoder: the payload is the event type as a
// StringValue, which is enough to see that every write added its own events to the outbox.
func encodeEvent(ev *domain.Event) (outbox.Event, error) {
	return outbox.Event{
		ID:      ev.ID,
		Subject: subjectPrefix + string(ev.Type),
		Source:  "/vif/fleet",
		Time:    ev.Time,
		Payload: wrapperspb.String(string(ev.Type)),
	}, nil
}

// fixture is one fresh database behind the store, with a deterministic clock and id generator
// (both safe for the concurrency cases), and the writes the store has accepted so far.
type fixture struct {
	db      *storage.DB
	repo    domain.Repository
	ticks   atomic.Int64
	ids     atomic.Int64
	commits atomic.Int64 // calls to the store's committed hook

	mu      sync.Mutex
	written []*domain.Event // events of the writes that succeeded, in commit order
	writes  int             // how many writes succeeded
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

// wrote records one write the store accepted, with its events, for checkOutbox.
func (f *fixture) wrote(events ...*domain.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.written = append(f.written, events...)
	f.writes++
}

// --- vehicles ------------------------------------------------------------------------------

// vehicle returns a vehicle in state with two readings; its VIN derives from id.
// manager is the caller of the tests' keyed writes, as the gRPC edge names a token's bearer.
const manager = `role="fleet" network="" organisation="" sub="fleet"`

// vehicleRequest is the context of a fleet manager's RegisterVehicle with requestID for v, as
// the gRPC edge keys it: no key when requestID is "". The id is left out of the request's
// fingerprint (the server chose it), so retries that chose other ids are one request.
func vehicleRequest(requestID string, v *domain.Vehicle) context.Context {
	return keyed(requestID, "/vif.fleet.v1.FleetService/RegisterVehicle", "",
		fmt.Sprint(v.VIN, v.Plate, v.Make, v.Model, v.FirstRegistrationDate, v.State, v.Readings))
}

// cessionRequest is the context of a ProposeCession with requestID for c.
func cessionRequest(requestID string, c *domain.Cession) context.Context {
	return keyed(requestID, "/vif.fleet.v1.FleetService/ProposeCession", "",
		fmt.Sprint(c.Vehicle, c.Beneficiary, c.Note, c.ProposeDate))
}

func keyed(requestID, method, parent, body string) context.Context {
	if requestID == "" {
		return context.Background()
	}
	return idempotency.NewContext(context.Background(), idempotency.Key{
		Caller: manager, Method: method, Parent: parent, RequestID: requestID, Fingerprint: []byte(body),
	})
}

func (f *fixture) vehicle(id string, state domain.VehicleState) *domain.Vehicle {
	now := f.now()
	return &domain.Vehicle{
		ID:                    id,
		VIN:                   "VF1" + strings.ToUpper(id),
		Plate:                 "GA-" + id + "-71",
		Make:                  "Renault",
		Model:                 "Clio",
		FirstRegistrationDate: "2019-04-23",
		State:                 state,
		Readings:              []domain.OdometerReading{{Date: "2021-03-01", KM: 31000}, {Date: "2025-09-12", KM: 142500}},
		Illustrative:          true,
		Meta:                  resource.Meta{Revision: 1, CreateTime: now, UpdateTime: now},
	}
}

func (f *fixture) vehicleEvent(typ domain.EventType, v *domain.Vehicle, prev domain.VehicleState) *domain.Event {
	ev := f.event(typ)
	ev.Vehicle, ev.PreviousVehicleState = v, prev
	return ev
}

func (f *fixture) register(t *testing.T, v *domain.Vehicle) {
	t.Helper()
	ev := f.vehicleEvent(domain.VehicleRegistered, v, "")
	if _, created, err := f.repo.RegisterVehicle(context.Background(), v, []*domain.Event{ev}); err != nil || !created {
		t.Fatalf("RegisterVehicle(%q) = created %v, %v; want created, nil", v.ID, created, err)
	}
	f.wrote(ev)
}

// --- cessions ------------------------------------------------------------------------------

func (f *fixture) cession(id, vehicle, beneficiary, kind string) *domain.Cession {
	now := f.now()
	return &domain.Cession{
		ID:              id,
		Vehicle:         vehicle,
		Beneficiary:     beneficiary,
		BeneficiaryKind: kind,
		State:           domain.Proposed,
		Note:            "Clio de la maison de l'emploi",
		ProposeDate:     "2026-01-05",
		Illustrative:    true,
		Meta:            resource.Meta{Revision: 1, CreateTime: now, UpdateTime: now},
	}
}

func (f *fixture) cessionEvent(typ domain.EventType, c *domain.Cession, prev domain.CessionState) *domain.Event {
	ev := f.event(typ)
	ev.Cession, ev.PreviousCessionState = c, prev
	return ev
}

// proposal is the app's propose closure: a vehicle with an open cession is ErrVehicleTaken
// (domain.VehicleFree), a retired vehicle is reserved for c, anything else is ErrWrongState. The
// events it returns are kept in *events.
func (f *fixture) proposal(c *domain.Cession, events *[]*domain.Event) func(*domain.Vehicle, string) ([]*domain.Event, error) {
	return func(v *domain.Vehicle, open string) ([]*domain.Event, error) {
		if err := domain.VehicleFree(v.ID, open); err != nil {
			return nil, err
		}
		if v.State != domain.Retired {
			return nil, fmt.Errorf("%s is %s: %w", v.Name(), v.State, domain.ErrWrongState)
		}
		v.State = domain.Reserved
		v.Revision++
		v.UpdateTime = f.now()
		*events = []*domain.Event{
			f.cessionEvent(domain.CessionProposed, c, ""),
			f.vehicleEvent(domain.VehicleReserved, v, domain.Retired),
		}
		return *events, nil
	}
}

func (f *fixture) propose(t *testing.T, c *domain.Cession) {
	t.Helper()
	var events []*domain.Event
	if _, created, err := f.repo.ProposeCession(context.Background(), c, f.proposal(c, &events)); err != nil || !created {
		t.Fatalf("ProposeCession(%q) = created %v, %v; want created, nil", c.ID, created, err)
	}
	f.wrote(events...)
}

// step changes a cession and its vehicle as a use case would and names the events of the change.
type step func(c *domain.Cession, v *domain.Vehicle) []domain.EventType

func approve(day domain.Date) step {
	return func(c *domain.Cession, _ *domain.Vehicle) []domain.EventType {
		c.State, c.ApproveDate = domain.Approved, day
		return []domain.EventType{domain.CessionApproved}
	}
}

// handOver hands the vehicle over on day with the odometer at km: the cession holds the handover
// and its declaration deadline, the vehicle is ceded with the reading.
func handOver(day domain.Date, km int64) step {
	return func(c *domain.Cession, v *domain.Vehicle) []domain.EventType {
		c.State = domain.HandedOver
		c.Handover = &domain.Handover{
			Date:  day,
			Place: "Mâcon, parvis de la Caf",
			Officials: []domain.Official{
				{Name: "Claire Martin", Title: "Directrice de la Caf"},
				{Name: "Ahmed Benali", Title: "Président du PLIE"},
				{Name: "Jeanne Roux", Title: "Maire"},
			},
			OdometerKM:           km,
			CertificateReference: "15776*03-" + c.ID,
		}
		c.DeclarationDeadline = day.AddDays(domain.DeclarationDays)
		v.State = domain.Ceded
		v.Readings = append(v.Readings, domain.OdometerReading{Date: day, KM: km})
		return []domain.EventType{domain.CessionHandedOver, domain.VehicleCeded, domain.VehicleOdometerRecorded}
	}
}

func declare(day domain.Date) step {
	return func(c *domain.Cession, _ *domain.Vehicle) []domain.EventType {
		c.State, c.DeclareDate = domain.Declared, day
		return []domain.EventType{domain.CessionDeclared}
	}
}

func cancel(day domain.Date) step {
	return func(c *domain.Cession, v *domain.Vehicle) []domain.EventType {
		c.State, c.EndDate, c.EndReason = domain.Cancelled, day, "le bénéficiaire renonce"
		v.State = domain.Retired
		return []domain.EventType{domain.CessionCancelled, domain.VehicleReleased}
	}
}

// change turns s into a TransitionCession closure: it applies s, moves the revisions and times
// of what changed, and builds the events, which it keeps in *events.
func (f *fixture) change(s step, events *[]*domain.Event) func(*domain.Cession, *domain.Vehicle) ([]*domain.Event, error) {
	return func(c *domain.Cession, v *domain.Vehicle) ([]*domain.Event, error) {
		prevC, prevV := c.State, v.State
		types := s(c, v)
		now := f.now()
		c.Revision++
		c.UpdateTime = now
		vehicleChanged := false
		*events = nil
		for _, typ := range types {
			if strings.HasPrefix(string(typ), "cession.") {
				*events = append(*events, f.cessionEvent(typ, c, prevC))
			} else {
				*events = append(*events, f.vehicleEvent(typ, v, prevV))
				vehicleChanged = true
			}
		}
		if vehicleChanged {
			v.Revision++
			v.UpdateTime = now
		}
		return *events, nil
	}
}

// transition applies s to cession id and returns the cession as written.
func (f *fixture) transition(t *testing.T, id string, s step) *domain.Cession {
	t.Helper()
	var events []*domain.Event
	c, err := f.repo.TransitionCession(context.Background(), id, f.change(s, &events))
	if err != nil {
		t.Fatalf("TransitionCession(%q) = %v", id, err)
	}
	f.wrote(events...)
	return c
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
// order, each with its subject and its payload, and that the store signalled one commit per
// write.
func (f *fixture) checkOutbox(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	want := append([]*domain.Event(nil), f.written...)
	writes := f.writes
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
		var payload wrapperspb.StringValue
		if err := proto.Unmarshal(got[i].Payload, &payload); err != nil || payload.GetValue() != string(want[i].Type) {
			t.Errorf("outbox[%d] (%q) payload = %q, %v; want %q", i, got[i].ID, payload.GetValue(), err, want[i].Type)
		}
	}
	if n := f.commits.Load(); n != int64(writes) {
		t.Errorf("committed hook called %d times; want %d, once per write", n, writes)
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

// count returns the number of rows of table that match cond (SQL, $1... taking args).
func (f *fixture) count(t *testing.T, table, cond string, args ...any) int {
	t.Helper()
	query := `SELECT COUNT(*) FROM ` + table
	if cond != "" {
		query += ` WHERE ` + cond
	}
	var n int
	if err := f.db.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// openCessions counts vehicle's PROPOSED and APPROVED cessions.
func (f *fixture) openCessions(t *testing.T, vehicle string) int {
	t.Helper()
	return f.count(t, "cessions", `vehicle = $1 AND state IN ('PROPOSED', 'APPROVED')`, vehicle)
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

func sameVehicle(got, want *domain.Vehicle) bool {
	return same(got, want, func(v *domain.Vehicle) []*time.Time { return []*time.Time{&v.CreateTime, &v.UpdateTime} },
		func(v *domain.Vehicle) {
			if len(v.Readings) == 0 {
				v.Readings = nil
			}
		})
}

func sameCession(got, want *domain.Cession) bool {
	return same(got, want, func(c *domain.Cession) []*time.Time { return []*time.Time{&c.CreateTime, &c.UpdateTime} },
		func(c *domain.Cession) {
			if c.Handover != nil && len(c.Handover.Officials) == 0 {
				h := *c.Handover // a copy: the caller's handover stays as it is
				h.Officials = nil
				c.Handover = &h
			}
		})
}

func vehicleIDs(vs []*domain.Vehicle) []string {
	out := make([]string, len(vs))
	for i, x := range vs {
		out[i] = x.ID
	}
	return out
}

func cessionIDs(cs []*domain.Cession) []string {
	out := make([]string, len(cs))
	for i, x := range cs {
		out[i] = x.ID
	}
	return out
}

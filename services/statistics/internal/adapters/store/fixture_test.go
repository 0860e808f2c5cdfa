package store_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/statistics/internal/adapters/store"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// t0 is where the fixture's clock starts, to the microsecond: what both engines keep. The
// round-trip cases add nanoseconds, as time.Now has, where they check that precision.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

// fixedParis is a zone other than UTC, for times a caller gives in local time.
var fixedParis = time.FixedZone("CET", 60*60)

const subjectPrefix = "vif.statistics.v1."

// eventLabel is what the tests' encoder puts in an event's payload: its type and what it names,
// with the revision, so that the outbox shows that events saw the revision the store gave.
func eventLabel(ev *domain.Event) string {
	switch {
	case ev.Report != nil:
		return fmt.Sprintf("%s %s#%d", ev.Type, ev.Report.Name(), ev.Report.Revision)
	case ev.NationalFigure != nil:
		return fmt.Sprintf("%s %s", ev.Type, ev.NationalFigure.Name())
	case ev.Release != nil:
		return fmt.Sprintf("%s %s", ev.Type, domain.ReleaseName(ev.Release.Year, ev.Release.Number))
	}
	return string(ev.Type)
}

// encodeEvent stands in for the gRPC adapter's encoder: the payload is the event's label as a
// StringValue, which is enough to see that every write added its own events to the outbox.
func encodeEvent(ev *domain.Event) (outbox.Event, error) {
	return outbox.Event{
		ID:      ev.ID,
		Subject: subjectPrefix + string(ev.Type),
		Source:  "/vif/statistics",
		Time:    ev.Time,
		Payload: wrapperspb.String(eventLabel(ev)),
	}, nil
}

// wantEvent is an event as the outbox should hold it, taken when its write succeeded.
type wantEvent struct {
	id, subject, label string
	resource           string // the report or figure it names: the outbox orders a resource's events
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
	written []wantEvent // events of the writes that succeeded, in commit order
	writes  int         // how many writes succeeded
}

func newFixture(t testing.TB, db *storage.DB) *fixture {
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
	return &domain.Event{ID: fmt.Sprintf("ev-%05d", f.ids.Add(1)), Type: typ, Time: f.now()}
}

// wrote records one write the store accepted, with its events, for checkOutbox. It takes the
// events' labels now, as the store encoded them at commit.
func (f *fixture) wrote(events ...*domain.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ev := range events {
		w := wantEvent{id: ev.ID, subject: subjectPrefix + string(ev.Type), label: eventLabel(ev)}
		switch {
		case ev.Report != nil:
			w.resource = ev.Report.Name()
		case ev.NationalFigure != nil:
			w.resource = ev.NationalFigure.Name()
		case ev.Release != nil:
			w.resource = domain.ReleaseName(ev.Release.Year, ev.Release.Number)
		}
		f.written = append(f.written, w)
	}
	f.writes++
}

// --- reports ---------------------------------------------------------------------------------

// sampleCounts returns complete counts that differ with n in every bucket of every dimension
// (each bucket but Unknown holds 1 to 9, Unknown the rest), so that a bucket read from the wrong
// place shows.
func sampleCounts(n int64) domain.Counts {
	c := domain.ZeroCounts()
	c.Victims, c.Children = 64+n%1000, 3+n%17
	for d := range c.Breakdowns {
		var sum int64
		last := len(c.Breakdowns[d]) - 1
		for b := range last {
			c.Breakdowns[d][b] = 1 + (n+int64(3*d+b))%9
			sum += c.Breakdowns[d][b]
		}
		c.Breakdowns[d][last] = c.Victims - sum
	}
	return c
}

// report returns a report of network for p, its counts from sampleCounts(n), submitted now.
func (f *fixture) report(network string, p domain.Period, n int64) *domain.Report {
	return &domain.Report{
		Network:      network,
		Period:       p,
		Counts:       sampleCounts(n),
		Illustrative: n%2 == 0,
		SubmitTime:   f.now(),
		SubmittedBy:  "coordinator-" + network,
	}
}

// reportEvents is the app's events closure: report.submitted for revision 1, report.revised
// after. The events it made are kept in *events.
func (f *fixture) reportEvents(events *[]*domain.Event) func(*domain.Report) []*domain.Event {
	return func(r *domain.Report) []*domain.Event {
		typ := domain.ReportSubmitted
		if r.Revision > 1 {
			typ = domain.ReportRevised
		}
		ev := f.event(typ)
		ev.Report = r
		*events = []*domain.Event{ev}
		return *events
	}
}

// submitter is the caller of the tests' keyed writes, as the gRPC edge names a token's bearer.
const submitter = `role="coordinator" network="chalonnais" organisation="" sub="coordinator"`

// keyed returns a context carrying the idempotency key the gRPC edge derives from a request with
// requestID whose content is body, under parent: no key when requestID is "".
func keyed(requestID, method, parent, body string) context.Context {
	if requestID == "" {
		return context.Background()
	}
	return idempotency.NewContext(context.Background(), idempotency.Key{
		Caller: submitter, Method: method, Parent: parent, RequestID: requestID, Fingerprint: []byte(body),
	})
}

// reportRequest is the context of a SubmitReport call with requestID for r: the same request id
// with other counts, or for another period, is another request.
func reportRequest(requestID string, r *domain.Report) context.Context {
	return keyed(requestID, "/vif.statistics.v1.StatisticsService/SubmitReport", "networks/"+r.Network,
		fmt.Sprint(r.Period, r.Counts))
}

// figureRequest is the context of a CreateNationalFigure call with requestID for fig.
func figureRequest(requestID string, fig *domain.NationalFigure) context.Context {
	return keyed(requestID, "/vif.statistics.v1.StatisticsService/CreateNationalFigure", "",
		fmt.Sprint(fig.Year, fig.Value, fig.Source, fig.SourceURL))
}

// submit stores r as a new revision, which it must create, and returns what the store returned.
func (f *fixture) submit(t *testing.T, r *domain.Report, requestID string) *domain.Report {
	t.Helper()
	var events []*domain.Event
	got, created, err := f.repo.SubmitReport(reportRequest(requestID, r), r, f.reportEvents(&events))
	if err != nil || !created {
		t.Fatalf("SubmitReport(%q, %q) = created %v, %v; want created, nil", r.Name(), requestID, created, err)
	}
	f.wrote(events...)
	return got
}

// submitN stores n revisions of network's report for p, with counts sampleCounts(seed),
// sampleCounts(seed+1)..., and returns them oldest first.
func (f *fixture) submitN(t *testing.T, network string, p domain.Period, seed int64, n int) []*domain.Report {
	t.Helper()
	var out []*domain.Report
	for i := range n {
		out = append(out, f.submit(t, f.report(network, p, seed+int64(i)), ""))
	}
	return out
}

// --- the outbox and the tables ---------------------------------------------------------------

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

// checkOutbox checks that the outbox holds exactly the events of the writes that succeeded, each
// with its subject and its payload, the events of each report or figure in the order of its
// writes, and that the store signalled one commit per write. Between resources written at once
// there is no order to check: the outbox numbers rows as they are inserted, not as they commit.
func (f *fixture) checkOutbox(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	want := slices.Clone(f.written)
	writes := f.writes
	f.mu.Unlock()
	got := f.outbox(t)
	if len(got) != len(want) {
		t.Errorf("outbox holds %d events %v; want %d %v", len(got), outboxSubjects(got), len(want), wantSubjects(want))
	}
	wanted := make(map[string]wantEvent, len(want))
	for _, w := range want {
		wanted[w.id] = w
	}
	seen := make(map[string][]string) // resource -> event ids in outbox order
	for i, row := range got {
		w, ok := wanted[row.ID]
		if !ok {
			t.Errorf("outbox[%d] = %q (%s); want no such event", i, row.ID, row.Subject)
			continue
		}
		delete(wanted, row.ID)
		var payload wrapperspb.StringValue
		if err := proto.Unmarshal(row.Payload, &payload); err != nil || row.Subject != w.subject || payload.GetValue() != w.label {
			t.Errorf("outbox[%d] (%q) = (%q, %q), %v; want (%q, %q)", i, row.ID, row.Subject, payload.GetValue(), err, w.subject, w.label)
		}
		seen[w.resource] = append(seen[w.resource], row.ID)
	}
	for id := range wanted {
		t.Errorf("outbox lacks event %q (%s)", id, wanted[id].label)
	}
	order := make(map[string][]string)
	for _, w := range want {
		order[w.resource] = append(order[w.resource], w.id)
	}
	for resource, ids := range order {
		if !slices.Equal(seen[resource], ids) {
			t.Errorf("outbox events of %s = %q; want %q, in the order of its writes", resource, seen[resource], ids)
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

func wantSubjects(events []wantEvent) []string {
	out := make([]string, len(events))
	for i, ev := range events {
		out[i] = ev.subject
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

// --- comparisons -----------------------------------------------------------------------------

// sameReport reports whether got equals want field by field, its submit time the same instant in
// UTC.
func sameReport(got, want *domain.Report) bool {
	if got == nil || want == nil {
		return got == want
	}
	g, w := *got, *want
	if !g.SubmitTime.Equal(w.SubmitTime) || g.SubmitTime.Location() != time.UTC {
		return false
	}
	g.SubmitTime, w.SubmitTime = time.Time{}, time.Time{}
	return reflect.DeepEqual(g, w)
}

func sameReports(got, want []*domain.Report) bool {
	return slices.EqualFunc(got, want, sameReport)
}

func sameFigure(got, want *domain.NationalFigure) bool {
	if got == nil || want == nil {
		return got == want
	}
	g, w := *got, *want
	if !g.CreateTime.Equal(w.CreateTime) || g.CreateTime.Location() != time.UTC {
		return false
	}
	g.CreateTime, w.CreateTime = time.Time{}, time.Time{}
	return g == w
}

// revisionKeys names each report as "network/period#revision", for messages and comparisons.
func revisionKeys(rs []*domain.Report) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = fmt.Sprintf("%s/%s#%d", r.Network, r.Period, r.Revision)
	}
	return out
}

func figureYears(fs []*domain.NationalFigure) []int {
	out := make([]int, len(fs))
	for i, f := range fs {
		out[i] = f.Year
	}
	return out
}

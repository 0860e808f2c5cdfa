package app_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/storage/storagetest"
	"github.com/vif71/vif/services/statistics/internal/adapters/grpcapi"
	"github.com/vif71/vif/services/statistics/internal/adapters/store"
	"github.com/vif71/vif/services/statistics/internal/app"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// publication is a service on a real SQLite over three networks of 10,000 inhabitants.
type publication struct {
	svc *app.Service
	st  *store.Store
}

func newPublication(t *testing.T) *publication {
	t.Helper()
	st, err := store.Open(context.Background(), storagetest.SQLite(t), grpcapi.EncodeEvent, nil)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	ids := 0
	networks := manyNetworks{{ID: "a", Population: 10_000}, {ID: "b", Population: 10_000}, {ID: "c", Population: 10_000}}
	svc := app.New(st, networks, func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) },
		func() string { mu.Lock(); defer mu.Unlock(); ids++; return fmt.Sprint(ids) }, 0)
	return &publication{svc: svc, st: st}
}

func (p *publication) submit(t *testing.T, network, period string, victims int64) {
	t.Helper()
	if _, err := p.svc.SubmitReport(context.Background(), domain.Actor{Admin: true}, network, period, domain.Submission{Victims: victims, Children: victims / 2}); err != nil {
		t.Fatal(err)
	}
}

// events counts the release.published events in the outbox.
func (p *publication) events(t *testing.T) int {
	t.Helper()
	var n int
	if err := p.st.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM outbox WHERE subject = $1`,
		"vif.statistics.v1.release.published").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// year is the 2024 yearly figures of the département and of network a, as actor sees them.
func (p *publication) year(t *testing.T, actor domain.Actor) (dept, a domain.Count) {
	t.Helper()
	s, err := p.svc.QuerySeries(context.Background(), actor, "", domain.Year, "2024", "2024")
	if err != nil {
		t.Fatal(err)
	}
	for _, nc := range s.Periods[0].ByNetwork {
		if nc.Network == "a" {
			a = nc.Victims
		}
	}
	return s.Periods[0].Counts.Victims, a
}

// TestPublishingMakesTheFiguresPublic: the public sees a year's figures from its latest
// publication only: nothing before the first, the release's figures after it, still them after
// a later submission, the new figures after the next publication. A coordinator sees their own
// network raw and live, the département from the release. Each publication writes its event;
// a refused one writes nothing.
func TestPublishingMakesTheFiguresPublic(t *testing.T) {
	ctx := context.Background()
	p := newPublication(t)
	admin, public, coordinator := domain.Actor{Admin: true}, domain.Actor{}, domain.Actor{Network: "a"}
	p.submit(t, "a", "2024", 40)
	p.submit(t, "b", "2024", 50)
	if dept, _ := p.year(t, public); dept.Present {
		t.Errorf("the public's 2024 before any publication = %+v; want no figure", dept)
	}
	if _, err := p.svc.GetReport(ctx, public, "a", domain.YearPeriod(2024)); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("the public's GetReport of a report never published = %v; want ErrNotFound, as a report nobody submitted", err)
	}
	r, err := p.svc.PublishRelease(ctx, admin, 2024)
	if err != nil || r.Number != 1 || r.Year != 2024 || r.PublishTime.IsZero() {
		t.Fatalf("PublishRelease(2024) = %+v, %v; want release 1 with its publish time", r, err)
	}
	if dept, a := p.year(t, public); dept.Value != 90 || a.Value != 40 {
		t.Errorf("the public's 2024 after release 1 = %+v, a %+v; want 90, 40", dept, a)
	}
	p.submit(t, "a", "2024", 45) // a correction
	p.submit(t, "c", "2024", 30) // a late report
	if dept, a := p.year(t, public); dept.Value != 90 || a.Value != 40 {
		t.Errorf("the public's 2024 after a correction, before the next publication = %+v, a %+v; want release 1's 90, 40", dept, a)
	}
	if _, err := p.svc.GetReport(ctx, public, "c", domain.YearPeriod(2024)); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("the public's GetReport of a report not yet published = %v; want ErrNotFound", err)
	}
	if dept, a := p.year(t, coordinator); dept.Value != 90 || a.Value != 45 {
		t.Errorf("a's coordinator's 2024 = %+v, own %+v; want the release's 90, their own 45 live", dept, a)
	}
	if dept, a := p.year(t, admin); dept.Value != 125 || a.Value != 45 {
		t.Errorf("the admin's 2024 = %+v, a %+v; want 125, 45 raw and live", dept, a)
	}
	if r, err = p.svc.PublishRelease(ctx, admin, 2024); err != nil || r.Number != 2 {
		t.Fatalf("PublishRelease(2024) again = %+v, %v; want release 2", r, err)
	}
	// Release 2 is protected against release 1: whatever it hides, it is what the public sees.
	if s, err := p.svc.QuerySeries(ctx, public, "", domain.Year, "2024", "2024"); err != nil || s.Periods[0].ReportingNetworks != 3 ||
		(!s.Periods[0].Counts.Victims.Hidden && s.Periods[0].Counts.Victims.Value != 125) {
		t.Errorf("the public's 2024 after release 2 = %+v from %d networks, %v; want release 2's, from 3", s.Periods[0].Counts.Victims, s.Periods[0].ReportingNetworks, err)
	}
	if v, err := p.svc.GetReport(ctx, public, "c", domain.YearPeriod(2024)); err != nil || v.Raw || !v.Counts.Victims.Present {
		t.Errorf("the public's GetReport of c's 2024 after release 2 = %+v, %v; want its protected figures", v.Counts.Victims, err)
	}
	if n := p.events(t); n != 2 {
		t.Errorf("%d release.published events after two publications; want 2", n)
	}
}

// TestARefusedPublicationWritesNothing: nothing new since the latest release, a year nobody
// reported, a caller who is not an admin: refused, with no release and no event written.
func TestARefusedPublicationWritesNothing(t *testing.T) {
	ctx := context.Background()
	p := newPublication(t)
	admin, public, coordinator := domain.Actor{Admin: true}, domain.Actor{}, domain.Actor{Network: "a"}
	p.submit(t, "a", "2024", 40)
	p.submit(t, "b", "2024", 50)
	if _, err := p.svc.PublishRelease(ctx, admin, 2024); err != nil {
		t.Fatal(err)
	}
	p.submit(t, "a", "2024", 45)
	if _, err := p.svc.PublishRelease(ctx, admin, 2024); err != nil {
		t.Fatal(err)
	}
	if _, err := p.svc.PublishRelease(ctx, admin, 2024); !errors.Is(err, domain.ErrNothingToPublish) {
		t.Errorf("PublishRelease with nothing new = %v; want ErrNothingToPublish", err)
	}
	if _, err := p.svc.PublishRelease(ctx, admin, 2023); !errors.Is(err, domain.ErrNothingToPublish) {
		t.Errorf("PublishRelease of a year nobody reported = %v; want ErrNothingToPublish", err)
	}
	for _, who := range []domain.Actor{public, coordinator} {
		if _, err := p.svc.PublishRelease(ctx, who, 2024); !errors.Is(err, resource.ErrPermissionDenied) {
			t.Errorf("PublishRelease by %+v = %v; want ErrPermissionDenied", who, err)
		}
	}
	if n, _, err := p.st.LatestRelease(ctx, 2024); n != 2 || err != nil || p.events(t) != 2 {
		t.Errorf("after the refusals: release %d (%v), %d events; want 2, 2", n, err, p.events(t))
	}
	page, err := p.svc.ListReleases(ctx, 2024, 0, 1)
	if err != nil || len(page.Items) != 1 || page.Items[0].Number != 1 || page.Next != 1 {
		t.Errorf("ListReleases(2024, page of 1) = %+v, %v; want release 1, then more", page, err)
	}
}

// TestARetriedPublicationReturnsItsRelease: the same request_id returns the release it
// recorded, with no second event, even when the figures changed since.
func TestARetriedPublicationReturnsItsRelease(t *testing.T) {
	p := newPublication(t)
	ctx := idempotency.NewContext(context.Background(), idempotency.Key{Caller: "admin", Method: "/vif.statistics.v1.StatisticsService/PublishRelease",
		Parent: "years/2024", RequestID: "5a0c7e52-8c1b-4b8e-9f0e-2f6a3d9c1b7e", Fingerprint: []byte("years/2024")})
	admin := domain.Actor{Admin: true}
	p.submit(t, "a", "2024", 40)
	first, err := p.svc.PublishRelease(ctx, admin, 2024)
	if err != nil {
		t.Fatal(err)
	}
	for _, what := range []string{"nothing changed", "a report since"} {
		if what == "a report since" {
			p.submit(t, "b", "2024", 50)
		}
		again, err := p.svc.PublishRelease(ctx, admin, 2024)
		if err != nil || again.Number != first.Number || !again.PublishTime.Equal(first.PublishTime) {
			t.Errorf("retry, %s = %+v, %v; want release %d as recorded", what, again, err, first.Number)
		}
	}
	if n, _, err := p.st.LatestRelease(context.Background(), 2024); n != 1 || err != nil || p.events(t) != 1 {
		t.Errorf("after the retries: release %d (%v), %d events; want 1, 1", n, err, p.events(t))
	}
}

// TestTwoAdminsPublishingAtOnceMakeOneRelease: of two publications of the same state at once,
// one records it; the other finds nothing to publish (never a second release of the state).
func TestTwoAdminsPublishingAtOnceMakeOneRelease(t *testing.T) {
	p := newPublication(t)
	p.submit(t, "a", "2024", 40)
	p.submit(t, "b", "2024", 50)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { _, errs[i] = p.svc.PublishRelease(context.Background(), domain.Actor{Admin: true}, 2024) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, domain.ErrNothingToPublish):
			t.Errorf("a concurrent publication = %v; want success or ErrNothingToPublish", err)
		}
	}
	if n, _, err := p.st.LatestRelease(context.Background(), 2024); ok != 1 || n != 1 || err != nil || p.events(t) != 1 {
		t.Errorf("two publications at once: %d succeeded, release %d (%v), %d events; want 1, 1, 1", ok, n, err, p.events(t))
	}
}

// TestACorrectionIsNotShownBeforeItsPublication: to the public a report is the revision its
// year's latest release holds: a correction since is neither its figures, nor its revision
// number, nor a line of its revisions, until the next publication; its coordinator sees it.
func TestACorrectionIsNotShownBeforeItsPublication(t *testing.T) {
	ctx := context.Background()
	p := newPublication(t)
	admin, public := domain.Actor{Admin: true}, domain.Actor{}
	year := domain.YearPeriod(2024)
	p.submit(t, "a", "2024", 40)
	p.submit(t, "b", "2024", 50)
	if _, err := p.svc.PublishRelease(ctx, admin, 2024); err != nil {
		t.Fatal(err)
	}
	p.submit(t, "a", "2024", 45)
	shown := func(who domain.Actor) (int64, []int64) {
		t.Helper()
		v, err := p.svc.GetReport(ctx, who, "a", year)
		if err != nil {
			t.Fatal(err)
		}
		page, err := p.svc.ReportRevisions(ctx, who, "a", year, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var revs []int64
		for _, r := range page.Items {
			revs = append(revs, r.Report.Revision)
		}
		return v.Report.Revision, revs
	}
	if rev, revs := shown(public); rev != 1 || fmt.Sprint(revs) != "[1]" {
		t.Errorf("the public's report before the correction is published: revision %d, revisions %v; want 1, [1]", rev, revs)
	}
	if v, err := p.svc.GetReport(ctx, public, "a", year); err != nil || v.Counts.Victims.Value != 40 {
		t.Errorf("the public's figures of the report = %+v, %v; want release 1's 40", v.Counts.Victims, err)
	}
	if rev, revs := shown(domain.Actor{Network: "a"}); rev != 2 || fmt.Sprint(revs) != "[2 1]" {
		t.Errorf("the coordinator's report: revision %d, revisions %v; want 2, [2 1]", rev, revs)
	}
	if _, err := p.svc.PublishRelease(ctx, admin, 2024); err != nil {
		t.Fatal(err)
	}
	if rev, revs := shown(public); rev != 2 || fmt.Sprint(revs) != "[2 1]" {
		t.Errorf("the public's report after the correction is published: revision %d, revisions %v; want 2, [2 1]", rev, revs)
	}
}

// TestAVictimMovedBetweenNetworksIsPublished: a victim counted by network a was b's, and both
// correct their year, so the département's figures keep their values while two networks' parts
// of them moved. The Département publishes that state (it was refused as UNPUBLISHABLE), and
// the public reads it.
func TestAVictimMovedBetweenNetworksIsPublished(t *testing.T) {
	ctx := context.Background()
	p := newPublication(t)
	admin := domain.Actor{Admin: true}
	p.submit(t, "a", "2024", 40)
	p.submit(t, "b", "2024", 50)
	p.submit(t, "c", "2024", 30)
	if _, err := p.svc.PublishRelease(ctx, admin, 2024); err != nil {
		t.Fatal(err)
	}
	p.submit(t, "a", "2024", 41)
	p.submit(t, "b", "2024", 49)
	if _, err := p.svc.PublishRelease(ctx, admin, 2024); err != nil {
		t.Fatalf("publishing the moved victim: %v", err)
	}
	if n, _, err := p.st.LatestRelease(ctx, 2024); n != 2 || err != nil || p.events(t) != 2 {
		t.Errorf("release %d (%v), %d events; want 2, 2", n, err, p.events(t))
	}
	if _, a := p.year(t, domain.Actor{}); a.Value != 41 || a.Hidden {
		t.Errorf("the public's 2024 of network a = %+v; want release 2's 41", a)
	}
}

package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vif71/vif/platform/storage/storagetest"
	"github.com/vif71/vif/services/statistics/internal/adapters/grpcapi"
	"github.com/vif71/vif/services/statistics/internal/adapters/store"
	"github.com/vif71/vif/services/statistics/internal/app"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// TestALateReportIsProtectedInTheNextPublication: a report that arrives after a publication is
// not in the public's answers until the next one, which protects it against the release before
// it arrived (whose figures the public has kept), not with the pattern of the year before it.
func TestALateReportIsProtectedInTheNextPublication(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, storagetest.SQLite(t), grpcapi.EncodeEvent, nil)
	if err != nil {
		t.Fatal(err)
	}
	networks := manyNetworks{{ID: "a", Population: 10_000}, {ID: "b", Population: 10_000}, {ID: "c", Population: 10_000}}
	ids := 0
	svc := app.New(st, networks, func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) },
		func() string { ids++; return fmt.Sprint(ids) }, 0)
	admin := domain.Actor{Admin: true}
	for _, id := range []string{"a", "b"} {
		if _, err := svc.SubmitReport(ctx, admin, id, "2024-03", domain.Submission{Victims: 40, Children: 20}); err != nil {
			t.Fatal(err)
		}
	}
	march := func() domain.PeriodFigures {
		t.Helper()
		s, err := svc.QuerySeries(ctx, domain.Actor{}, "", domain.Month, "2024-03", "2024-03")
		if err != nil {
			t.Fatal(err)
		}
		return s.Periods[0]
	}
	if _, err := svc.PublishRelease(ctx, admin, 2024); err != nil {
		t.Fatal(err)
	}
	if pf := march(); pf.Counts.Victims.Hidden || pf.Counts.Victims.Value != 80 {
		t.Fatalf("before the late report, March = %+v; want 80 published", pf.Counts.Victims)
	}
	if _, err := svc.SubmitReport(ctx, admin, "c", "2024-03", domain.Submission{Victims: 2, Children: 1}); err != nil {
		t.Fatal(err)
	}
	if pf := march(); pf.Counts.Victims.Hidden || pf.Counts.Victims.Value != 80 || pf.ReportingNetworks != 2 {
		t.Fatalf("after the late report, before the next publication, March = %+v from %d networks; want release 1's 80 from 2", pf.Counts.Victims, pf.ReportingNetworks)
	}
	if _, err := svc.PublishRelease(ctx, admin, 2024); err != nil {
		t.Fatal(err)
	}
	pf := march()
	published := 0
	for _, nc := range pf.ByNetwork {
		if nc.Network == "c" && (!nc.Victims.Present || !nc.Victims.Hidden) {
			t.Errorf("the late report's 2 victims after the next publication: %+v; want present, hidden", nc.Victims)
		}
		if nc.Network != "c" && !nc.Victims.Hidden {
			published++
		}
	}
	if !pf.Counts.Victims.Hidden && published == 2 {
		t.Errorf("March = %+v published, a's and b's 40 too: the late 2 is their difference", pf.Counts.Victims)
	}
}

// TestASeedWhoseHiddenZerosCanBeDerivedIsPublished: the default data set over other
// populations than the directory's gives months whose widened pattern hides a 0 that the
// published figures give away. That tells nothing about anyone: the year must still be
// published (it used to be refused as having no safe pattern).
func TestASeedWhoseHiddenZerosCanBeDerivedIsPublished(t *testing.T) {
	svc, _ := seededService(t)
	s, err := svc.QuerySeries(context.Background(), domain.Actor{}, "", domain.Month, "2022-01", "2022-12")
	if err != nil {
		t.Fatalf("the seed's 2022 by month: %v", err)
	}
	if len(s.Periods) != 12 || !s.Periods[0].Counts.Victims.Present {
		t.Fatalf("the seed's 2022 by month has %d periods", len(s.Periods))
	}
}

// TestReadsMakeNoReleases: no read records a release, raw or protected: a coordinator
// submitting and reading their own report sees it raw, the public sees no figure of a year
// never published; the admin's publication records release 1, which the public then sees.
func TestReadsMakeNoReleases(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, storagetest.SQLite(t), grpcapi.EncodeEvent, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := 0
	svc := app.New(st, manyNetworks{{ID: "a", Population: 10_000}}, func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) },
		func() string { ids++; return fmt.Sprint(ids) }, 0)
	coordinator := domain.Actor{Network: "a"}
	if _, err := svc.SubmitReport(ctx, coordinator, "a", "2024-03", domain.Submission{Victims: 40, Children: 20}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.GetReport(ctx, coordinator, "a", domain.MonthPeriod(2024, 3)); err != nil {
		t.Fatal(err)
	}
	s, err := svc.QuerySeries(ctx, domain.Actor{}, "", domain.Month, "2024-03", "2024-03")
	if err != nil {
		t.Fatal(err)
	}
	if v := s.Periods[0].Counts.Victims; v.Present {
		t.Errorf("the public's March before any publication = %+v; want no figure", v)
	}
	if n, _, err := st.LatestRelease(ctx, 2024); n != 0 || err != nil {
		t.Fatalf("after the coordinator's and the public's reads, 2024 has release %d (%v); want none", n, err)
	}
	if _, err := svc.PublishRelease(ctx, domain.Actor{Admin: true}, 2024); err != nil {
		t.Fatal(err)
	}
	if n, _, err := st.LatestRelease(ctx, 2024); n != 1 || err != nil {
		t.Fatalf("after the publication, 2024 has release %d (%v); want 1", n, err)
	}
	if s, err = svc.QuerySeries(ctx, domain.Actor{}, "", domain.Month, "2024-03", "2024-03"); err != nil || s.Periods[0].Counts.Victims.Value != 40 {
		t.Errorf("the public's March after the publication = %+v, %v; want 40", s.Periods[0].Counts.Victims, err)
	}
}

// TestAReaderDuringTheSeedSeesAllOfItOrNone: public readers while the default data set is
// written see none of it or all of it, and the seed publishes each of its years once: one
// release each, which a second run of the seed leaves alone.
func TestAReaderDuringTheSeedSeesAllOfItOrNone(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, storagetest.SQLite(t), grpcapi.EncodeEvent, nil)
	if err != nil {
		t.Fatal(err)
	}
	networks := make(manyNetworks, 13)
	for i := range networks {
		networks[i] = domain.Network{ID: fmt.Sprintf("network-%02d", i), Population: 20_000 + int64(i*i)*3_000}
	}
	ids := 0
	svc := app.New(st, networks, func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
		func() string { ids++; return fmt.Sprint(ids) }, 0)
	done := make(chan error, 1)
	go func() {
		_, err := svc.Seed(ctx)
		done <- err
	}()
	reads := 0
	for seeding := true; seeding; reads++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Seed: %v", err)
			}
			seeding = false
		default:
		}
		if _, err := svc.QuerySeries(ctx, domain.Actor{}, "", domain.Year, "2022", "2023"); err != nil {
			t.Fatalf("QuerySeries during the seed: %v", err)
		}
	}
	if _, err := st.DB.ExecContext(ctx, `DELETE FROM seeds`); err != nil { // as if the seed had stopped before marking itself
		t.Fatal(err)
	}
	if _, err := svc.Seed(ctx); err != nil {
		t.Fatalf("Seed again: %v", err)
	}
	for _, year := range []int{2017, 2022, 2023} {
		if n, _, err := st.LatestRelease(ctx, year); err != nil || n != 1 {
			t.Errorf("after %d public reads during the seed and a second seed, %d has %d releases (%v); want 1", reads, year, n, err)
		}
	}
}

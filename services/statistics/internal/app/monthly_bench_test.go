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

// seededService is the default data set over 13 networks (the directory's count), on SQLite,
// plus the adversarial shapes for 2024 (small counts across months and quarters, a
// coarser report the months supersede).
func seededService(b testing.TB) (svc *app.Service, fresh func() *app.Service) {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, storagetest.SQLite(b), grpcapi.EncodeEvent, nil)
	if err != nil {
		b.Fatal(err)
	}
	networks := make(manyNetworks, 13)
	for i := range networks {
		networks[i] = domain.Network{ID: fmt.Sprintf("network-%02d", i), Population: 20_000 + int64(i*i)*3_000}
	}
	ids := 0
	fresh = func() *app.Service {
		return app.New(st, networks, func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
			func() string { ids++; return fmt.Sprint(ids) }, 0)
	}
	svc = fresh()
	if _, err := svc.Seed(ctx); err != nil {
		b.Fatal(err)
	}
	submit := func(n int, period string, victims, children int64) {
		b.Helper()
		if _, err := svc.SubmitReport(ctx, domain.Actor{Admin: true}, networks[n].ID, period, domain.Submission{Victims: victims, Children: children}); err != nil {
			b.Fatal(err)
		}
	}
	submit(2, "2024-03", 3, 1)
	submit(3, "2024-03", 40, 22)
	submit(4, "2024", 20, 9)
	for m, v := range []int64{1, 2, 2, 3, 1, 0, 4, 2, 1, 0, 2, 1} {
		submit(4, fmt.Sprintf("2024-%02d", m+1), v, v/2)
	}
	submit(3, "2024-Q2", 17, 3)
	submit(3, "2024-Q3", 2, 2)
	return svc, fresh
}

// BenchmarkMonthlySeries measures the département's protected monthly series of a year: the
// seed's 2022 (13 networks reporting every month) and the adversarial 2024. "first" is a
// service's first answer for the year (the pattern is computed), "again" a later one (the
// pattern comes from the service's cache, as long as no report of the year changes).
func BenchmarkMonthlySeries(b *testing.B) {
	_, fresh := seededService(b)
	query := func(b *testing.B, svc *app.Service, year string) {
		s, err := svc.QuerySeries(context.Background(), domain.Actor{}, "", domain.Month, year+"-01", year+"-12")
		if err != nil {
			b.Fatal(err)
		}
		if len(s.Periods) != 12 {
			b.Fatalf("%d periods", len(s.Periods))
		}
	}
	for _, year := range []string{"2022", "2024"} {
		b.Run(year+"/first", func(b *testing.B) {
			for b.Loop() {
				query(b, fresh(), year)
			}
		})
		b.Run(year+"/again", func(b *testing.B) {
			svc := fresh()
			query(b, svc, year)
			for b.Loop() {
				query(b, svc, year)
			}
		})
	}
}

// BenchmarkReleaseAfterEachSubmission measures the release a public answer makes when every
// submission is read at once: 13 networks send their 2024 months one by one, each followed by
// the public's monthly series, so each submission is a release protected against all the
// earlier ones. The figure is the answer after submission n (release n); its floor, in the same
// run, is the first answer of a fresh service about the same reports, protected as a single
// state (release 1). An iteration replays the n submissions on a fresh database.
func BenchmarkReleaseAfterEachSubmission(b *testing.B) {
	for _, n := range []int{13, 39} {
		b.Run(fmt.Sprintf("release-%d", n), func(b *testing.B) {
			var release, single time.Duration
			iterations := 0
			for b.Loop() {
				b.StopTimer()
				svc, alone := submissionsReadOneByOne(b, n)
				b.StartTimer()
				began := time.Now()
				monthly(b, svc)
				release += time.Since(began)
				b.StopTimer()
				began = time.Now()
				monthly(b, alone)
				single += time.Since(began)
				b.StartTimer()
				iterations++
			}
			b.ReportMetric(float64(release.Milliseconds())/float64(iterations), "release-ms")
			b.ReportMetric(float64(single.Milliseconds())/float64(iterations), "single-state-ms")
		})
	}
}

// monthly is the public's monthly series of 2024.
func monthly(b *testing.B, svc *app.Service) {
	b.Helper()
	if _, err := svc.QuerySeries(context.Background(), domain.Actor{}, "", domain.Month, "2024-01", "2024-12"); err != nil {
		b.Fatal(err)
	}
}

// submissionsReadOneByOne submits n monthly reports of 13 networks, month after month, each but
// the last followed by a public read; it returns that service, ready for the read of the last,
// and a fresh service on a second database holding the same n reports, never read.
func submissionsReadOneByOne(b *testing.B, n int) (svc, alone *app.Service) {
	b.Helper()
	ctx := context.Background()
	networks := make(manyNetworks, 13)
	for i := range networks {
		networks[i] = domain.Network{ID: fmt.Sprintf("network-%02d", i), Population: 20_000 + int64(i*i)*3_000}
	}
	open := func() *app.Service {
		st, err := store.Open(ctx, storagetest.SQLite(b), grpcapi.EncodeEvent, nil)
		if err != nil {
			b.Fatal(err)
		}
		ids := 0
		return app.New(st, networks, func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
			func() string { ids++; return fmt.Sprint(ids) }, 0)
	}
	svc, alone = open(), open()
	for k := range n {
		m, i := k/len(networks)+1, k%len(networks)
		v := int64(3 + (i*7+m*3)%40)
		for _, s := range []*app.Service{svc, alone} {
			if _, err := s.SubmitReport(ctx, domain.Actor{Admin: true}, networks[i].ID, fmt.Sprintf("2024-%02d", m), domain.Submission{Victims: v, Children: v / 2}); err != nil {
				b.Fatal(err)
			}
		}
		if k < n-1 {
			monthly(b, svc)
		}
	}
	return svc, alone
}

package app_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
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
	if _, err := svc.PublishRelease(ctx, domain.Actor{Admin: true}, 2024); err != nil {
		b.Fatal(err)
	}
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

// BenchmarkPublishEachMonth measures PublishRelease as the Département would use it: 13
// networks send their 2024 months, and after each month the admin publishes (releases 1 to 12),
// then three corrections are each published (releases 13 to 15). Each release is protected
// against all the earlier ones. It logs the time of each publication and reports release 15's
// and the mean of releases 2 to 15, next to its floor measured in the same run: the same final
// reports published once, by a fresh service (release 1, protected as a single state). Run it
// with -benchtime=1x (an iteration replays the year).
func BenchmarkPublishEachMonth(b *testing.B) {
	var last, sum, floor time.Duration
	iterations := 0
	for b.Loop() {
		b.StopTimer()
		once := publishYear(b, publishingService(b), false)
		floor += once[0]
		svc := publishingService(b)
		times := publishYear(b, svc, true)
		shown := make([]string, len(times))
		for n, d := range times {
			if n >= 1 {
				sum += d
			}
			shown[n] = fmt.Sprintf("%d: %v", n+1, d.Round(time.Millisecond))
		}
		b.Logf("publication times by release: %s", strings.Join(shown, ", "))
		last += times[len(times)-1]
		iterations++
		b.StartTimer()
	}
	b.ReportMetric(float64(last.Milliseconds())/float64(iterations), "release-15-ms")
	b.ReportMetric(float64(sum.Milliseconds())/float64(iterations*14), "release-2-to-15-mean-ms")
	b.ReportMetric(float64(floor.Microseconds())/1000/float64(iterations), "floor-one-release-ms")
}

// monthly is the public's monthly series of 2024.
func monthly(b *testing.B, svc *app.Service) {
	b.Helper()
	if _, err := svc.QuerySeries(context.Background(), domain.Actor{}, "", domain.Month, "2024-01", "2024-12"); err != nil {
		b.Fatal(err)
	}
}

// publishingService is a fresh service on SQLite over 13 networks, with no report.
func publishingService(b *testing.B) *app.Service {
	b.Helper()
	networks := make(manyNetworks, 13)
	for i := range networks {
		networks[i] = domain.Network{ID: fmt.Sprintf("network-%02d", i), Population: 20_000 + int64(i*i)*3_000}
	}
	st, err := store.Open(context.Background(), storagetest.SQLite(b), grpcapi.EncodeEvent, nil)
	if err != nil {
		b.Fatal(err)
	}
	ids := 0
	return app.New(st, networks, func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
		func() string { ids++; return fmt.Sprint(ids) }, 0)
}

// publishYear submits 2024 month by month, then three corrections, and returns the time of each
// publication (release n at n-1); each is followed by the public's monthly series, which must
// read the release without protecting anything. With each, it publishes after every month and
// every correction; without, once at the end.
func publishYear(b *testing.B, svc *app.Service, each bool) []time.Duration {
	b.Helper()
	ctx := context.Background()
	admin := domain.Actor{Admin: true}
	submit := func(i, m int, v int64) {
		if _, err := svc.SubmitReport(ctx, admin, fmt.Sprintf("network-%02d", i), fmt.Sprintf("2024-%02d", m), domain.Submission{Victims: v, Children: v / 2}); err != nil {
			b.Fatal(err)
		}
	}
	var times []time.Duration
	publish := func() {
		began := time.Now()
		_, err := svc.PublishRelease(ctx, admin, 2024)
		if errors.Is(err, domain.ErrUnpublishable) {
			b.Logf("publication %d refused: %v", len(times)+1, err)
		} else if err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(began))
		monthly(b, svc)
	}
	for m := 1; m <= 12; m++ {
		for i := range 13 {
			submit(i, m, int64(3+(i*7+m*3)%40))
		}
		if each {
			publish()
		}
	}
	for k, c := range [][3]int{{2, 3, 7}, {5, 8, 2}, {11, 11, 30}} {
		submit(c[0], c[1], int64(c[2]+k))
		if each {
			publish()
		}
	}
	if !each {
		publish()
	}
	return times
}

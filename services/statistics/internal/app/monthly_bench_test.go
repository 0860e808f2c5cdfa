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

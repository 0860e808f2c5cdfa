package app_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
	"github.com/vif71/vif/services/statistics/internal/adapters/grpcapi"
	"github.com/vif71/vif/services/statistics/internal/adapters/store"
	"github.com/vif71/vif/services/statistics/internal/app"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// groupBy is the floor of the yearly summary: the same rows (the latest revision of every
// report of the ten years) summed per year by the database, without decoding, protecting or
// anything else the service does.
func groupBy(b *testing.B, db *storage.DB) {
	b.Helper()
	victims := `json_extract(counts, '$.victims')`
	if db.Dialect == storage.Postgres {
		victims = `(counts::jsonb->>'victims')::bigint`
	}
	rows, err := db.QueryContext(context.Background(), `SELECT year, COUNT(*), SUM(`+victims+`) FROM reports
		WHERE latest AND year BETWEEN $1 AND $2 GROUP BY year ORDER BY year`, 2014, 2023)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	years := 0
	for rows.Next() {
		var year, reports, victims int64
		if err := rows.Scan(&year, &reports, &victims); err != nil {
			b.Fatal(err)
		}
		years++
	}
	if err := rows.Err(); err != nil || years != 10 {
		b.Fatalf("GROUP BY year = %d years, %v; want 10", years, err)
	}
}

// manyNetworks stands for a directory of n networks: the real one has 13.
type manyNetworks []domain.Network

func (m manyNetworks) Networks(context.Context) ([]domain.Network, error) { return m, nil }

// BenchmarkDepartementYearlySummary measures the département-wide yearly series over ten years
// of monthly reports from n networks (n × 120 reports; the département has 13, issue 14 asks for
// 100), as the public sees it (protected) and as an admin does (raw), on each engine storagetest
// offers. The admin publishes each year once the reports are in (the time of the ten
// publications is logged). Each answer reads the reports and rolls the months up to years; for
// the public, each year comes from its release, whose recorded pattern it reads (no protection
// is computed on a read). Its floor, timed in the same loop, is a raw GROUP BY year over the
// same rows (groupBy).
//
// make bench runs both sizes; make test's single iteration skips networks=100, whose ten
// publications (each year's release 1, protected down to the months: BenchmarkFirstRelease,
// domain) take a few minutes.
func BenchmarkDepartementYearlySummary(b *testing.B) {
	for _, n := range []int{13, 100} {
		b.Run(fmt.Sprintf("networks=%d", n), func(b *testing.B) {
			for _, d := range storagetest.Databases(b) {
				b.Run(d.Name, func(b *testing.B) { yearlySummary(b, d, n) })
			}
		})
	}
}

// yearlySummary is BenchmarkDepartementYearlySummary for n networks on database d.
func yearlySummary(b *testing.B, d storagetest.Named, n int) {
	ctx := context.Background()
	svc := tenYears(b, d, n)
	for _, v := range []struct {
		name  string
		actor domain.Actor
	}{{"protected", domain.Actor{}}, {"raw", domain.Actor{Admin: true}}} {
		b.Run(v.name, func(b *testing.B) {
			var summary, floor time.Duration
			for b.Loop() {
				start := time.Now()
				s, err := svc.QuerySeries(ctx, v.actor, "", domain.Year, "2014", "2023")
				if err != nil {
					b.Fatal(err)
				}
				if len(s.Periods) != 10 || !s.Periods[9].Counts.Victims.Present {
					b.Fatalf("series has %d periods; want 10 with figures", len(s.Periods))
				}
				summary += time.Since(start)
				start = time.Now()
				groupBy(b, d.DB)
				floor += time.Since(start)
			}
			b.ReportMetric(float64(summary.Microseconds())/float64(b.N), "summary-µs")
			b.ReportMetric(float64(floor.Microseconds())/float64(b.N), "group-by-µs")
			b.ReportMetric(float64(summary)/float64(floor), "summary/group-by")
		})
	}
}

// tenYears is a service on database d holding ten years (2014–2023) of monthly reports from n
// networks, each year published once (release 1).
func tenYears(b *testing.B, d storagetest.Named, n int) *app.Service {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, d.DB, grpcapi.EncodeEvent, nil)
	if err != nil {
		b.Fatal(err)
	}
	networks := make(manyNetworks, n)
	for i := range networks {
		networks[i] = domain.Network{ID: fmt.Sprintf("network-%03d", i), Population: 5_000 + int64(i)*100}
	}
	ids := 0
	svc := app.New(st, networks, func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) },
		func() string { ids++; return fmt.Sprint(ids) }, 0)
	r := rand.New(rand.NewPCG(71, 2022))
	start := time.Now()
	for _, nw := range networks {
		for y := 2014; y <= 2023; y++ {
			for m := 1; m <= 12; m++ {
				victims := r.Int64N(12)
				sub := domain.Submission{Victims: victims, Children: victims / 2,
					Breakdowns: [][]domain.BucketCount{{{Bucket: "PHYSICAL", Count: victims / 2}}, {{Bucket: "FEMALE", Count: victims - victims/5}}}}
				if _, err := svc.SubmitReport(ctx, domain.Actor{Admin: true}, nw.ID, domain.MonthPeriod(y, m).String(), sub); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Logf("%s: %d monthly reports written in %v", d.Name, n*120, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	for y := 2014; y <= 2023; y++ {
		if _, err := svc.PublishRelease(ctx, domain.Actor{Admin: true}, y); err != nil {
			b.Fatalf("publish %d: %v", y, err)
		}
	}
	b.Logf("%s: the ten years published (release 1 each) in %v", d.Name, time.Since(start).Round(time.Millisecond))
	return svc
}

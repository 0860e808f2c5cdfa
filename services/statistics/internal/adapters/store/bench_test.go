package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// The benchmark's data: ten years of monthly reports of 100 networks, 12,000 reports, every
// tenth with a second revision (13,200 rows), so that the latest revision has to be chosen.
const (
	benchNetworks  = 100
	benchFirstYear = 2015
	benchYears     = 10
	benchReports   = benchNetworks * benchYears * 12
)

// BenchmarkLatestReports times the service's hot query, LatestReports of every network over ten
// years, on each engine (PostgreSQL when VIF_TEST_POSTGRES_DSN is set). Its sub-benchmarks
// sql=... time the bare query of the latest flag against the alternatives the store did not
// take, on the same rows and with the index each would want, scanning the same columns without
// decoding them:
//
//	go test -run '^$' -bench LatestReports -benchtime 5x ./services/statistics/internal/adapters/store/
func BenchmarkLatestReports(b *testing.B) {
	ctx := context.Background()
	for _, d := range storagetest.Databases(b) {
		b.Run(d.Name, func(b *testing.B) {
			f := newFixture(b, d.DB)
			start := time.Now()
			fillBench(b, f)
			b.Logf("%s: %d reports submitted in %v", d.Name, benchReports+benchReports/10, time.Since(start).Round(time.Millisecond))

			b.Run("network=all", func(b *testing.B) {
				for b.Loop() {
					got, err := f.repo.LatestReports(ctx, "", benchFirstYear, benchFirstYear+benchYears-1)
					if err != nil || len(got) != benchReports {
						b.Fatalf("LatestReports(all, %d, %d) = %d reports, %v; want %d", benchFirstYear, benchFirstYear+benchYears-1, len(got), err, benchReports)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchReports), "ns/report")
			})
			b.Run("network=one", func(b *testing.B) {
				for b.Loop() {
					got, err := f.repo.LatestReports(ctx, networkName(42), benchFirstYear, benchFirstYear+benchYears-1)
					if err != nil || len(got) != benchReports/benchNetworks {
						b.Fatalf("LatestReports(%q) = %d reports, %v; want %d", networkName(42), len(got), err, benchReports/benchNetworks)
					}
				}
			})

			b.Run("sql=latest-flag", func(b *testing.B) {
				benchQuery(b, d.DB, `SELECT `+benchColumns+` FROM reports
					WHERE latest AND year BETWEEN $1 AND $2 ORDER BY network, year, first_month, granularity`)
			})
			// Without the flag, the index the alternatives would have instead of reports_latest.
			if _, err := d.DB.ExecContext(ctx, `CREATE INDEX reports_by_start ON reports (network, year, first_month, granularity, revision)`); err != nil {
				b.Fatalf("create index: %v", err)
			}
			if d.DB.Dialect == storage.Postgres {
				if _, err := d.DB.ExecContext(ctx, `ANALYZE reports`); err != nil {
					b.Fatalf("analyze: %v", err)
				}
			}
			b.Run("sql=max-revision", func(b *testing.B) {
				benchQuery(b, d.DB, `SELECT `+benchColumns+` FROM reports r
					WHERE year BETWEEN $1 AND $2
					AND revision = (SELECT MAX(revision) FROM reports m WHERE m.network = r.network AND m.period = r.period)
					ORDER BY network, year, first_month, granularity`)
			})
			b.Run("sql=not-exists", func(b *testing.B) {
				benchQuery(b, d.DB, `SELECT `+benchColumns+` FROM reports r
					WHERE year BETWEEN $1 AND $2
					AND NOT EXISTS (SELECT 1 FROM reports n WHERE n.network = r.network AND n.period = r.period AND n.revision > r.revision)
					ORDER BY network, year, first_month, granularity`)
			})
		})
	}
}

// benchColumns are the columns the store reads.
const benchColumns = `network, year, granularity, first_month, revision, counts, illustrative, submit_time, submitted_by`

// benchQuery times query over the benchmark's years, scanning every row as the store does but
// without decoding the counts.
func benchQuery(b *testing.B, db *storage.DB, query string) {
	b.Helper()
	ctx := context.Background()
	for b.Loop() {
		rows, err := db.QueryContext(ctx, query, benchFirstYear, benchFirstYear+benchYears-1)
		if err != nil {
			b.Fatalf("query: %v", err)
		}
		n := 0
		for rows.Next() {
			var network, counts, by string
			var year, granularity, firstMonth int
			var revision int64
			var illustrative bool
			var at time.Time
			if err := rows.Scan(&network, &year, &granularity, &firstMonth, &revision, &counts, &illustrative, &at, &by); err != nil {
				b.Fatalf("scan: %v", err)
			}
			n++
		}
		if err := rows.Err(); err != nil || n != benchReports {
			b.Fatalf("query read %d rows, %v; want %d", n, err, benchReports)
		}
		rows.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchReports), "ns/report")
}

// fillBench submits the benchmark's reports through the store, one network per worker at a time:
// SQLite's writers queue anyway, PostgreSQL's run side by side on different reports.
func fillBench(b *testing.B, f *fixture) {
	b.Helper()
	workers := 1
	if f.db.Dialect == storage.Postgres {
		workers = 8
	}
	networks := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range workers {
		wg.Go(func() {
			for n := range networks {
				if err := submitNetwork(f, n); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
			}
		})
	}
	for n := range benchNetworks {
		networks <- n
	}
	close(networks)
	wg.Wait()
	if firstErr != nil {
		b.Fatalf("fill: %v", firstErr)
	}
	if _, err := f.db.ExecContext(context.Background(), analyzeStatement(f.db)); err != nil {
		b.Fatalf("analyze: %v", err)
	}
}

// submitNetwork submits every month of network n, and a second revision of every tenth report.
func submitNetwork(f *fixture, n int) error {
	ctx := context.Background()
	for i := range benchYears * 12 {
		p := domain.MonthPeriod(benchFirstYear+i/12, i%12+1)
		revisions := 1
		if (n*benchYears*12+i)%10 == 0 {
			revisions = 2
		}
		for r := range revisions {
			report := f.report(networkName(n), p, int64(n*1000+i+r))
			if _, _, err := f.repo.SubmitReport(ctx, report, f.reportEvents(new([]*domain.Event))); err != nil {
				return err
			}
		}
	}
	return nil
}

// analyzeStatement gathers the planner's statistics, as a database that has run a while has them.
func analyzeStatement(db *storage.DB) string {
	if db.Dialect == storage.Postgres {
		return `ANALYZE reports`
	}
	return `ANALYZE`
}

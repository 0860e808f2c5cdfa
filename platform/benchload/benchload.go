// Package benchload is what the throughput benchmarks share: calls run with several in flight,
// timed in rounds that alternate the kinds of call so that a figure and its floor share the
// machine's noise, and the floor of a write with its event (a row and an outbox row in one
// transaction).
package benchload

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
)

// Throughput runs n calls of call, inFlight at a time, and returns the calls per second. The
// first call that fails fails b.
func Throughput(b testing.TB, n, inFlight int, call func() error) float64 {
	b.Helper()
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	start := time.Now()
	for range inFlight {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if err := call(); err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
	return float64(n) / elapsed.Seconds()
}

// Rounds is how many rounds Interleaved alternates its kinds of call in.
const Rounds = 10

// Interleaved is the Throughput of each of calls, n calls each, run in Rounds rounds that take
// every kind in turn.
func Interleaved(b testing.TB, n, inFlight int, calls ...func() error) []float64 {
	b.Helper()
	per := max(n/Rounds, inFlight)
	elapsed := make([]float64, len(calls)) // seconds per call kind
	for range Rounds {
		for i, call := range calls {
			elapsed[i] += float64(per) / Throughput(b, per, inFlight, call)
		}
	}
	rates := make([]float64, len(calls))
	for i := range calls {
		rates[i] = float64(per*Rounds) / elapsed[i]
	}
	return rates
}

// WriteFloor creates, in db (whose outbox is migrated), a table of rows shaped like an
// organisation's, and returns the floor of a write with its event: one transaction inserting a
// row and an outbox row with payload, its i-th call the row "floor-i".
func WriteFloor(b testing.TB, db *storage.DB, payload []byte) func(ctx context.Context, i int64) error {
	b.Helper()
	if _, err := db.ExecContext(context.Background(), `CREATE TABLE IF NOT EXISTS floor_rows (id TEXT PRIMARY KEY, display_name TEXT NOT NULL,
		kind TEXT NOT NULL, commune TEXT, etag TEXT NOT NULL, created_at TIMESTAMP NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	return func(ctx context.Context, i int64) error {
		return db.InTx(ctx, func(tx *sql.Tx) error {
			now := time.Now().UTC()
			if _, err := tx.ExecContext(ctx, `INSERT INTO floor_rows (id, display_name, kind, commune, etag, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
				fmt.Sprintf("floor-%d", i), "Association", "ASSOCIATION", "71076", "e1", now); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, subject, source, data_schema, occurred_at, payload) VALUES ($1, $2, $3, $4, $5, $6)`,
				outbox.NewID(), "vif.directory.v1.organisation.created", "/vif/directory", "vif.directory.v1.OrganisationCreated", now, payload)
			return err
		})
	}
}

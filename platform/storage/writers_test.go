package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
)

// TestWritersTakeTurns: many writers at once, in transactions and outside them, all land, each
// whole; a writer whose context ends while it waits for its turn gets its context's error and
// writes nothing, and the writers after it still get theirs.
func TestWritersTakeTurns(t *testing.T) {
	for _, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			ctx := context.Background()
			db := d.DB
			if err := storage.Migrate(ctx, db, migrations, "goose_test"); err != nil {
				t.Fatal(err)
			}
			const writers = 40
			var wg sync.WaitGroup
			errs := make(chan error, writers)
			for i := range writers {
				wg.Go(func() {
					if i%4 == 0 { // a write of its own, as the relay's marks are
						_, err := db.ExecContext(ctx, `INSERT INTO items (id, n, at) VALUES ($1, 1, $2)`, fmt.Sprintf("e%d", i), time.Now())
						errs <- err
						return
					}
					errs <- db.InTx(ctx, func(tx *sql.Tx) error {
						for j := range 2 {
							if _, err := tx.ExecContext(ctx, `INSERT INTO items (id, n, at) VALUES ($1, 1, $2)`, fmt.Sprintf("t%d-%d", i, j), time.Now()); err != nil {
								return err
							}
						}
						return nil
					})
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Errorf("a concurrent write failed: %v", err)
				}
			}
			if n := count(t, db); n != writers/4+2*(writers-writers/4) {
				t.Errorf("%d rows after %d concurrent writers; want %d", n, writers, writers/4+2*(writers-writers/4))
			}

			// A transaction holds the writers' turn; a writer that waits behind it past its deadline
			// gives up with the deadline's error and writes nothing.
			holding, release := make(chan struct{}), make(chan struct{})
			held := make(chan error, 1)
			go func() {
				held <- db.InTx(ctx, func(tx *sql.Tx) error {
					if _, err := tx.ExecContext(ctx, `INSERT INTO items (id, n, at) VALUES ('held', 1, $1)`, time.Now()); err != nil {
						return err
					}
					close(holding)
					<-release
					return nil
				})
			}()
			<-holding
			before := count(t, db)
			short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
			defer cancel()
			err := db.InTx(short, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(short, `INSERT INTO items (id, n, at) VALUES ('late', 1, $1)`, time.Now())
				return err
			})
			if d.DB.Dialect == storage.SQLite && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("a writer waiting past its deadline = %v; want an error wrapping context.DeadlineExceeded", err)
			}
			if d.DB.Dialect == storage.Postgres && err != nil { // its writers run side by side
				t.Errorf("a writer beside a transaction on PostgreSQL = %v; want nil", err)
			}
			close(release)
			if err := <-held; err != nil {
				t.Fatalf("the transaction holding the turn: %v", err)
			}
			want := before + 1
			if d.DB.Dialect == storage.Postgres {
				want++
			}
			if n := count(t, db); n != want {
				t.Errorf("%d rows after the held transaction and the late writer; want %d", n, want)
			}
			if _, err := db.ExecContext(ctx, `INSERT INTO items (id, n, at) VALUES ('next', 1, $1)`, time.Now()); err != nil {
				t.Errorf("a write after the late writer gave up: %v", err)
			}
		})
	}
}

func count(t *testing.T, db *storage.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM items`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

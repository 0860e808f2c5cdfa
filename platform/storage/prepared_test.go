package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
)

// TestExecTxWritesWithItsTransaction: a statement run with ExecTx (prepared and kept, on SQLite)
// belongs to its transaction like any other, committed or rolled back with it, and many writers
// using it at once, more than the pool has connections, all get through (preparing it never
// waits for a connection that a writer queued behind the caller holds).
func TestExecTxWritesWithItsTransaction(t *testing.T) {
	for _, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
			defer cancel()
			db := d.DB
			if err := storage.Migrate(ctx, db, migrations, "goose_test"); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			const insert = `INSERT INTO items (id, n, at) VALUES ($1, $2, $3)`
			at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
			const writers = 12
			var wg sync.WaitGroup
			errs := make([]error, writers)
			write := func(i int) {
				for j := range 5 {
					errs[i] = errors.Join(errs[i], db.InTx(ctx, func(tx *sql.Tx) error {
						_, err := db.ExecTx(ctx, tx, insert, fmt.Sprintf("item-%d-%d", i, j), i, at)
						return err
					}))
				}
			}
			// The first statement is run by a transaction that the other writers queue behind,
			// holding every other connection of the pool.
			first := db.InTx(ctx, func(tx *sql.Tx) error {
				for i := 1; i < writers; i++ {
					wg.Go(func() { write(i) })
				}
				time.Sleep(200 * time.Millisecond) // lets them queue
				_, err := db.ExecTx(ctx, tx, insert, "first", 0, at)
				return err
			})
			if first != nil {
				t.Fatalf("the first writer: %v", first)
			}
			wg.Wait()
			write(0)
			for i, err := range errs {
				if err != nil {
					t.Errorf("writer %d: %v", i, err)
				}
			}
			rollback := errors.New("roll back")
			err := db.InTx(ctx, func(tx *sql.Tx) error {
				if _, err := db.ExecTx(ctx, tx, insert, "rolled-back", 0, at); err != nil {
					return err
				}
				return rollback
			})
			if !errors.Is(err, rollback) {
				t.Fatalf("InTx = %v; want %v", err, rollback)
			}
			var n int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM items`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != writers*5+1 {
				t.Errorf("items = %d; want %d (each committed insert, not the rolled-back one)", n, writers*5+1)
			}
		})
	}
}

// TestCloseWaitsForTheStatementsBeingPrepared: Close returns once nothing of the database is
// open, the statements ExecTx prepares in the background included, so that its files can be
// removed right after (a test's TempDir, a data directory). A preparation still running when
// Close returned could open a connection, and SQLite its -wal and -shm files, afterwards.
func TestCloseWaitsForTheStatementsBeingPrepared(t *testing.T) {
	ctx := context.Background()
	for i := range 20 {
		dir := t.TempDir()
		db, err := storage.Open(ctx, filepath.Join(dir, "test.db"))
		if err != nil {
			t.Fatal(err)
		}
		if err := storage.Migrate(ctx, db, migrations, "goose_test"); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		err = db.InTx(ctx, func(tx *sql.Tx) error {
			_, err := db.ExecTx(ctx, tx, `INSERT INTO items (id, n, at) VALUES ($1, $2, $3)`, "item", i, time.Now())
			return err
		})
		if err != nil {
			t.Fatalf("ExecTx: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		closed := names(t, dir)
		time.Sleep(20 * time.Millisecond)
		if later := names(t, dir); fmt.Sprint(later) != fmt.Sprint(closed) {
			t.Fatalf("round %d: the database's directory held %v right after Close, %v 20 ms later", i, closed, later)
		}
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// TestExecTxWithDoneContextRunsNothing: a caller whose context has ended gets its context's
// error from ExecTx, the statement does not run, and the transaction writes nothing; the
// statement is the prepared one (run once before) on SQLite, where ExecTx does not watch ctx
// while a statement runs.
func TestExecTxWithDoneContextRunsNothing(t *testing.T) {
	for _, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			db := d.DB
			if err := storage.Migrate(context.Background(), db, migrations, "goose_test"); err != nil {
				t.Fatal(err)
			}
			const insert = `INSERT INTO items (id, n, at) VALUES ($1, $2, $3)`
			at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
			for i := range 3 { // the first has the statement prepared in the background
				if err := db.InTx(context.Background(), func(tx *sql.Tx) error {
					_, err := db.ExecTx(context.Background(), tx, insert, fmt.Sprintf("kept-%d", i), i, at)
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			var execErr error
			err := db.InTx(ctx, func(tx *sql.Tx) error {
				cancel()
				_, execErr = db.ExecTx(ctx, tx, insert, "cancelled", 9, at)
				return execErr
			})
			if !errors.Is(execErr, context.Canceled) || !errors.Is(err, context.Canceled) {
				t.Errorf("ExecTx, InTx with a cancelled context = %v, %v; want errors wrapping context.Canceled", execErr, err)
			}
			var n int
			if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM items WHERE id = 'cancelled'`).Scan(&n); err != nil || n != 0 {
				t.Errorf("rows of the cancelled transaction = %d, %v; want 0", n, err)
			}
		})
	}
}

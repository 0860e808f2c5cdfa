package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
)

// TestClassifyConnectionFailures: every way of not reaching the database wraps ErrUnavailable,
// so the edge answers 503 with a retry hint rather than 500.
func TestClassifyConnectionFailures(t *testing.T) {
	ctx := context.Background()

	t.Run("postgres refuses the connection", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close() // nothing listens there any more
		_, err = storage.Open(ctx, fmt.Sprintf("postgres://postgres@%s/postgres?sslmode=disable", addr))
		if !errors.Is(err, storage.ErrUnavailable) {
			t.Errorf("Open on a closed port = %v; want an error wrapping ErrUnavailable", err)
		}
	})

	pg := storagetest.Postgres(t)
	if pg != nil {
		t.Run("postgres terminates the session", func(t *testing.T) {
			conn, err := pg.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			var pid int
			if err := conn.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
				t.Fatal(err)
			}
			// What a fast shutdown of the server does to every session: FATAL 57P01.
			if _, err := pg.ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
				t.Fatal(err)
			}
			_, err = conn.ExecContext(ctx, `SELECT 1`)
			if err == nil {
				t.Fatal("a query on a terminated session succeeded")
			}
			if !errors.Is(storage.Classify(err), storage.ErrUnavailable) {
				t.Errorf("Classify(%v) does not wrap ErrUnavailable", err)
			}
		})
	}

	t.Run("sqlite busy past its timeout", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "busy.db")
		holder, err := storage.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer holder.Close()
		tx, err := holder.BeginTx(ctx, nil) // _txlock=immediate: takes the write lock now
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		// A second writer with a short busy timeout, as storage.Open's would be after 10 s.
		other, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&_pragma=busy_timeout(50)")
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		_, err = other.BeginTx(ctx, nil)
		if err == nil {
			t.Fatal("a second writer took the lock")
		}
		if !errors.Is(storage.Classify(err), storage.ErrUnavailable) {
			t.Errorf("Classify(%v) does not wrap ErrUnavailable", err)
		}
	})

	t.Run("other errors are left alone", func(t *testing.T) {
		db := storagetest.SQLite(t)
		_, err := db.ExecContext(ctx, `SELECT * FROM no_such_table`)
		if err == nil || errors.Is(storage.Classify(err), storage.ErrUnavailable) {
			t.Errorf("Classify(%v) wraps ErrUnavailable; want it unchanged", err)
		}
		if err := storage.Classify(context.DeadlineExceeded); errors.Is(err, storage.ErrUnavailable) {
			t.Errorf("Classify(DeadlineExceeded) wraps ErrUnavailable; the caller's deadline is its own")
		}
	})
}

// TestInTxCancelledBeforeCommit: a caller whose context ends while its transaction runs gets its
// context's error, and nothing of the transaction is written: on PostgreSQL database/sql rolls
// the transaction back when the context ends (Commit alone would only say "transaction has
// already been committed or rolled back"); on SQLite, whose transactions do not watch their
// context, InTx checks it before the commit.
func TestInTxCancelledBeforeCommit(t *testing.T) {
	for _, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			db := d.DB
			if err := storage.Migrate(context.Background(), db, migrations, "goose_test"); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			err := db.InTx(ctx, func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, `INSERT INTO items (id, n, at) VALUES ('x', 1, $1)`, time.Now()); err != nil {
					return err
				}
				cancel()
				time.Sleep(50 * time.Millisecond) // database/sql rolls back as soon as it sees ctx end
				return nil
			})
			if !errors.Is(err, context.Canceled) {
				t.Errorf("InTx cancelled before commit = %v; want an error wrapping context.Canceled", err)
			}
			var n int
			if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM items`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("%d rows written by a cancelled transaction; want 0", n)
			}
		})
	}
}

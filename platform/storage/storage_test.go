package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"testing/fstest"
	"time"

	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
)

var migrations = fstest.MapFS{
	"00001_items.sql": {Data: []byte(`-- +goose Up
CREATE TABLE items (id TEXT PRIMARY KEY, n BIGINT NOT NULL, at TIMESTAMPTZ NOT NULL);
-- +goose Down
DROP TABLE items;
`)},
}

func TestSameSQLOnEveryEngine(t *testing.T) {
	for _, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			ctx := context.Background()
			db := d.DB
			if err := storage.Migrate(ctx, db, migrations, "goose_test"); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			// A second run finds nothing to do.
			if err := storage.Migrate(ctx, db, migrations, "goose_test"); err != nil {
				t.Fatalf("Migrate again: %v", err)
			}
			at := time.Date(2022, 3, 4, 5, 6, 7, 8000, time.UTC)
			err := db.InTx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO items (id, n, at) VALUES ($1, $2, $3)`, "a", 42, at)
				return err
			})
			if err != nil {
				t.Fatalf("insert: %v", err)
			}
			var n int64
			var got time.Time
			if err := db.QueryRowContext(ctx, `SELECT n, at FROM items WHERE id = $1`, "a").Scan(&n, &got); err != nil {
				t.Fatalf("select: %v", err)
			}
			if n != 42 || !got.Equal(at) {
				t.Errorf("read back (%d, %v); want (42, %v)", n, got, at)
			}
		})
	}
}

func TestInTxRollsBackOnError(t *testing.T) {
	for _, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			ctx := context.Background()
			if err := storage.Migrate(ctx, d.DB, migrations, "goose_test"); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			boom := errors.New("boom")
			err := d.DB.InTx(ctx, func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, `INSERT INTO items (id, n, at) VALUES ($1, $2, $3)`, "b", 1, time.Now()); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("InTx = %v; want boom", err)
			}
			var count int
			if err := d.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM items`).Scan(&count); err != nil {
				t.Fatal(err)
			}
			if count != 0 {
				t.Errorf("rows after rollback = %d; want 0", count)
			}
		})
	}
}

func TestOpenRejectsEmptyDSN(t *testing.T) {
	if _, err := storage.Open(context.Background(), ""); err == nil {
		t.Error(`Open("") = nil error; want an error`)
	}
}

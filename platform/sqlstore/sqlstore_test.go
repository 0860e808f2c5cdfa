package sqlstore_test

import (
	"context"
	"io/fs"
	"testing"
	"testing/fstest"
	"time"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/sqlstore"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
)

type event struct{}

func encode(*event) (outbox.Event, error) { return outbox.Event{}, nil }

// migrations is a service's migrations folder whose first migration creates table; withSeeds
// adds the seeds table, as the services' first migrations did before the platform owned it.
func migrations(withSeeds bool) fstest.MapFS {
	sql := "-- +goose Up\nCREATE TABLE things (id TEXT PRIMARY KEY);\n"
	if withSeeds {
		sql += "CREATE TABLE seeds (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL);\n"
	}
	sql += "-- +goose Down\nDROP TABLE things;\n"
	return fstest.MapFS{"migrations/00001_things.sql": &fstest.MapFile{Data: []byte(sql)}}
}

// TestOpenKeepsTheSeedsOfAnOlderDatabase: a database whose service migrations created the seeds
// table (the layout before the platform owned it) opens with the platform's migrations and keeps
// the seeds it recorded; a new database gets the table from the platform.
func TestOpenKeepsTheSeedsOfAnOlderDatabase(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, db := range storagetest.Databases(t) {
		t.Run(db.Name, func(t *testing.T) {
			// What Open migrated before: the outbox, the idempotency keys, then the service's first
			// migration with its seeds table; and a seed recorded in it.
			oldFiles, err := fs.Sub(migrations(true), "migrations")
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range []struct {
				fsys  fs.FS
				table string
			}{{outbox.Migrations, "goose_outbox"}, {idempotency.Migrations, "goose_idempotency"}, {oldFiles, "goose_things"}} {
				if err := storage.Migrate(ctx, db.DB, m.fsys, m.table); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.DB.ExecContext(ctx, `INSERT INTO seeds (name, applied_at) VALUES ($1, $2)`, "default", at); err != nil {
				t.Fatal(err)
			}

			s, err := sqlstore.Open(ctx, db.DB, "things", migrations(false), encode, nil)
			if err != nil {
				t.Fatalf("Open on a database migrated by the older files: %v", err)
			}
			if seeded, err := s.Seeded(ctx, "default"); err != nil || !seeded {
				t.Errorf("Seeded(default) = %v, %v; want true: the seed recorded before", seeded, err)
			}
		})
		t.Run(db.Name+"/new", func(t *testing.T) {
			fresh := storagetest.SQLite(t)
			if db.Name != "sqlite" {
				fresh = storagetest.Postgres(t)
			}
			s, err := sqlstore.Open(ctx, fresh, "things", migrations(false), encode, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.MarkSeeded(ctx, "default", at); err != nil {
				t.Fatalf("MarkSeeded on a new database: %v", err)
			}
			if seeded, err := s.Seeded(ctx, "default"); err != nil || !seeded {
				t.Errorf("Seeded(default) = %v, %v; want true", seeded, err)
			}
		})
	}
}

package storage_test

import (
	"context"
	"testing"
	"testing/fstest"

	"golang.org/x/sync/errgroup"

	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
)

// TestReplicasMigrateTogether starts like two replicas of a service on a fresh PostgreSQL
// database (Kubernetes starts them at once): both apply the same migrations at the same time,
// and both must succeed, the schema applied once.
func TestReplicasMigrateTogether(t *testing.T) {
	dsn := storagetest.NewPostgresDatabase(t)
	if dsn == "" {
		t.Log("no PostgreSQL configured (" + storagetest.PostgresDSNEnv + "): SQLite has one writer process by design")
		return
	}
	migrations := fstest.MapFS{
		"00001_first.sql":  {Data: []byte("-- +goose Up\nCREATE TABLE first (id int PRIMARY KEY);\nSELECT pg_sleep(0.3);\n")},
		"00002_second.sql": {Data: []byte("-- +goose Up\nCREATE TABLE second (id int PRIMARY KEY);\n")},
	}
	ctx := context.Background()
	g, ctx := errgroup.WithContext(ctx)
	for range 3 {
		db, err := storage.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		g.Go(func() error { return storage.Migrate(ctx, db, migrations, "goose_replicas") })
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("concurrent Migrate = %v; want every replica to start", err)
	}
}

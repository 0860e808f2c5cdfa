package storage_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
)

// forEachDatabase runs fn in a subtest per engine, on a fresh database migrated with fsys.
func forEachDatabase(t *testing.T, fsys fs.FS, fn func(t *testing.T, db *storage.DB)) {
	for _, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			if err := storage.Migrate(context.Background(), d.DB, fsys, "goose_test"); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			fn(t, d.DB)
		})
	}
}

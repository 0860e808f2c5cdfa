package store_test

import (
	"context"
	"testing"

	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
	"github.com/vif71/vif/services/directory/internal/adapters/grpcapi"
	"github.com/vif71/vif/services/directory/internal/adapters/store"
)

// TestSQLiteAndPostgresSchemasAgree migrates a real SQLite and a real PostgreSQL with the store's
// migrations (and the platform's: outbox, idempotency) and compares their catalogs: the same
// tables, columns by type family, nullability, keys and indexes. testdata/schema.txt is the
// agreed schema, readable in review (VIF_UPDATE_SCHEMA=1 rewrites it).
func TestSQLiteAndPostgresSchemasAgree(t *testing.T) {
	storagetest.SchemaParity(t, "testdata/schema.txt", func(t testing.TB, db *storage.DB) {
		if _, err := store.Open(context.Background(), db, grpcapi.EncodeEvent, nil); err != nil {
			t.Fatal(err)
		}
	})
}

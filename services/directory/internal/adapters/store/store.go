// Package store keeps the directory's organisations and members in SQL, the same queries on
// SQLite and PostgreSQL, and writes each change's event to the outbox in the change's
// transaction.
package store

import (
	"context"
	"embed"

	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/sqlstore"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/directory/internal/domain"
)

//go:embed migrations
var migrations embed.FS

// Store implements domain.Repository on its shell (platform/sqlstore), which holds the database
// (DB), writes each change with its events in one transaction (Write: fn returns no events only
// when it writes nothing, an idempotent replay; a nil event is refused) and keeps the seeds
// bookkeeping.
type Store struct{ sqlstore.Shell[*domain.Event] }

// Open migrates db (the outbox's tables and the directory's) and returns a Store on it.
// encode turns a domain event into the outbox record to publish (subject, payload); the gRPC
// adapter provides it, since the payload is the API's protobuf message.
func Open(ctx context.Context, db *storage.DB, encode func(*domain.Event) (outbox.Event, error), committed func()) (*Store, error) {
	return sqlstore.New[Store](ctx, db, "directory", migrations, encode, committed)
}

// Package store keeps the directory's organisations and members in SQL, the same queries on
// SQLite and PostgreSQL, and writes each change's event to the outbox in the change's
// transaction.
package store

import (
	"context"
	"database/sql"
	"embed"

	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/sqlstore"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/directory/internal/domain"
)

//go:embed migrations
var migrations embed.FS

// EventEncoder turns a domain event into the outbox record to publish (subject, payload). The
// gRPC adapter provides it, since the payload is the API's protobuf message.
type EventEncoder func(*domain.Event) (outbox.Event, error)

// Store implements domain.Repository. Its shell (platform/sqlstore) writes each change with its
// events and keeps the seeds bookkeeping.
type Store struct {
	sqlstore.Shell[*domain.Event]
	db *storage.DB
}

var _ domain.Repository = (*Store)(nil)

// Open migrates db (the outbox's tables and the directory's) and returns a Store on it.
func Open(ctx context.Context, db *storage.DB, encode EventEncoder, committed func()) (*Store, error) {
	shell, err := sqlstore.Open(ctx, db, "directory", migrations, encode, committed)
	if err != nil {
		return nil, err
	}
	return &Store{Shell: shell, db: db}, nil
}

// write runs fn in a transaction and adds the events it returns to the outbox in it
// (outbox.WriteTx); a nil event is refused.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) ([]*domain.Event, error)) error {
	return s.Write(ctx, fn)
}

// forUpdate locks the rows a read-modify-write reads. SQLite needs nothing: its transactions
// take the write lock when they begin (_txlock=immediate).
func (s *Store) forUpdate() string { return s.db.Lock(" FOR UPDATE") }

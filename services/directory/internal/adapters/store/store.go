// Package store keeps the directory's organisations and members in SQL, the same queries on
// SQLite and PostgreSQL, and writes each change's event to the outbox in the change's
// transaction.
package store

import (
	"context"
	"database/sql"
	"embed"
	"io/fs"
	"time"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/directory/internal/domain"
)

//go:embed migrations
var migrations embed.FS

// EventEncoder turns a domain event into the outbox record to publish (subject, payload). The
// gRPC adapter provides it, since the payload is the API's protobuf message.
type EventEncoder func(*domain.Event) (outbox.Event, error)

// Store implements domain.Repository.
type Store struct {
	db     *storage.DB
	encode EventEncoder
	// committed, when not nil, is called after a transaction that wrote events commits (to wake
	// the relay).
	committed func()
}

var _ domain.Repository = (*Store)(nil)

// Open migrates db (the outbox's tables and the directory's) and returns a Store on it.
func Open(ctx context.Context, db *storage.DB, encode EventEncoder, committed func()) (*Store, error) {
	if err := storage.Migrate(ctx, db, outbox.Migrations, "goose_outbox"); err != nil {
		return nil, err
	}
	if err := storage.Migrate(ctx, db, idempotency.Migrations, "goose_idempotency"); err != nil {
		return nil, err
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := storage.Migrate(ctx, db, sub, "goose_directory"); err != nil {
		return nil, err
	}
	return &Store{db: db, encode: encode, committed: committed}, nil
}

// write runs fn in a transaction and adds the events it returns to the outbox in it
// (outbox.WriteTx); a nil event is refused.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) ([]*domain.Event, error)) error {
	return outbox.WriteTx(ctx, s.db, s.encode, s.committed, fn)
}

// forUpdate locks the rows a read-modify-write reads. SQLite needs nothing: its transactions
// take the write lock when they begin (_txlock=immediate).
func (s *Store) forUpdate() string {
	if s.db.Dialect == storage.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// Seeded implements domain.Repository.
func (s *Store) Seeded(ctx context.Context, name string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM seeds WHERE name = $1`, name).Scan(&n)
	return n > 0, err
}

// MarkSeeded implements domain.Repository.
func (s *Store) MarkSeeded(ctx context.Context, name string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO seeds (name, applied_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, at)
	return err
}

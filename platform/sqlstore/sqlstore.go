// Package sqlstore is the shell every service's SQL store shares: Open migrates the platform's
// tables (the outbox's, the idempotency records', the seeds table) and then the service's own,
// and the Shell it returns writes a change with its events in one transaction (outbox.WriteTx)
// and keeps the seeds bookkeeping. What a store does with its own tables stays in
// the service's internal/adapters/store.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
)

// seedsMigrations creates the seeds table (goose_seeds), the same in every service's database.
//
//go:embed migrations
var seedsMigrations embed.FS

// Shell is the part of a service's store that is the same in every service. E is the service's
// domain event (a pointer).
type Shell[E comparable] struct {
	// DB is the database the service's own queries run on.
	DB     *storage.DB
	encode func(E) (outbox.Event, error)
	// committed, when not nil, is called after a transaction that wrote events commits (to wake
	// the relay).
	committed func()
}

// Open migrates db (the outbox's, the idempotency records' and the seeds tables, then the
// service's: the migrations folder of fsys, tracked in the table goose_<name>) and returns the
// Shell of a store on it. encode turns a domain event into the outbox record to publish (the gRPC adapter gives
// it, since the payload is the API's protobuf message).
func Open[E comparable](ctx context.Context, db *storage.DB, name string, fsys fs.FS, encode func(E) (outbox.Event, error), committed func()) (Shell[E], error) {
	if encode == nil {
		return Shell[E]{}, errors.New("store: nil event encoder")
	}
	seeds, err := fs.Sub(seedsMigrations, "migrations")
	if err != nil {
		return Shell[E]{}, err
	}
	own, err := fs.Sub(fsys, "migrations")
	if err != nil {
		return Shell[E]{}, fmt.Errorf("store: migrations of %s: %w", name, err)
	}
	for _, m := range []struct {
		fsys         fs.FS
		versionTable string
	}{
		{outbox.Migrations, "goose_outbox"},
		{idempotency.Migrations, "goose_idempotency"},
		{seeds, "goose_seeds"},
		{own, "goose_" + name},
	} {
		if err := storage.Migrate(ctx, db, m.fsys, m.versionTable); err != nil {
			return Shell[E]{}, err
		}
	}
	return Shell[E]{DB: db, encode: encode, committed: committed}, nil
}

// New is Open for a service's store S, a struct that embeds the Shell and nothing else (its
// queries run on the Shell's DB): it returns the S on the Shell that Open returns.
func New[S ~struct{ Shell[E] }, E comparable](ctx context.Context, db *storage.DB, name string, fsys fs.FS, encode func(E) (outbox.Event, error), committed func()) (*S, error) {
	shell, err := Open(ctx, db, name, fsys, encode, committed)
	if err != nil {
		return nil, err
	}
	s := S(struct{ Shell[E] }{shell})
	return &s, nil
}

// Write runs fn in a transaction and adds the events it returns to the outbox in it
// (outbox.WriteTx). fn returns no events only when it writes nothing (an idempotent replay); a
// nil event is refused.
func (s Shell[E]) Write(ctx context.Context, fn func(tx *sql.Tx) ([]E, error)) error {
	return outbox.WriteTx(ctx, s.DB, s.encode, s.committed, fn)
}

// Seeded says whether the seed called name has been recorded (domain.Repository).
func (s Shell[E]) Seeded(ctx context.Context, name string) (bool, error) {
	var n int
	err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM seeds WHERE name = $1`, name).Scan(&n)
	return n > 0, err
}

// MarkSeeded records the seed called name (domain.Repository); marking a name twice keeps the
// first time.
func (s Shell[E]) MarkSeeded(ctx context.Context, name string, at time.Time) error {
	_, err := s.DB.ExecContext(ctx, `INSERT INTO seeds (name, applied_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, storage.Stored(at))
	return err
}

// The row locks of a read-modify-write, for PostgreSQL; on SQLite they are empty, since its
// transactions take the write lock when they begin (_txlock=immediate) and writers run one at a
// time.

// ForUpdate locks the rows a read-modify-write reads.
func (s Shell[E]) ForUpdate() string { return s.DB.Lock(" FOR UPDATE") }

// ForNoKeyUpdate locks the rows a read-modify-write reads when no write changes a key: it lets
// other transactions insert rows that reference the locked one (foreign key checks take KEY
// SHARE).
func (s Shell[E]) ForNoKeyUpdate() string { return s.DB.Lock(" FOR NO KEY UPDATE") }

// ForShare keeps the rows a write depends on from changing until it commits.
func (s Shell[E]) ForShare() string { return s.DB.Lock(" FOR SHARE") }

// ForKeyShare keeps a row a write only needs to exist, as a foreign key check does.
func (s Shell[E]) ForKeyShare() string { return s.DB.Lock(" FOR KEY SHARE") }

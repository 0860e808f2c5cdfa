// Package store keeps the directory's organisations and members in SQL, the same queries on
// SQLite and PostgreSQL, and writes each change's event to the outbox in the change's
// transaction.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

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
	// committed is called after a transaction that wrote events commits (to wake the relay).
	committed func()
}

var _ domain.Repository = (*Store)(nil)

// Open migrates db (the outbox's tables and the directory's) and returns a Store on it.
func Open(ctx context.Context, db *storage.DB, encode EventEncoder, committed func()) (*Store, error) {
	if err := storage.Migrate(ctx, db, outbox.Migrations, "goose_outbox"); err != nil {
		return nil, err
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := storage.Migrate(ctx, db, sub, "goose_directory"); err != nil {
		return nil, err
	}
	if committed == nil {
		committed = func() {}
	}
	return &Store{db: db, encode: encode, committed: committed}, nil
}

// write runs fn in a transaction; the events fn returns are added to the outbox before commit.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) ([]*domain.Event, error)) error {
	wrote := false
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		events, err := fn(tx)
		if err != nil {
			return err
		}
		for _, ev := range events {
			rec, err := s.encode(ev)
			if err != nil {
				return fmt.Errorf("encode event %s: %w", ev.Type, err)
			}
			if err := outbox.Add(ctx, tx, rec); err != nil {
				return err
			}
			wrote = true
		}
		return nil
	})
	if err == nil && wrote {
		s.committed()
	}
	return err
}

// stored returns t as both engines keep it: in UTC, to the microsecond (PostgreSQL keeps no
// finer). Writes set it on the resource they store, so that what a write returns, its event
// and a later read agree on either engine.
func stored(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

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

// uniqueViolation reports whether err is a unique-constraint violation. Which constraint is not
// told: when a row repeats both an id and a request id, PostgreSQL reports either.
func uniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "PRIMARY KEY constraint failed")
}

// nullable stores "" as NULL, so that many rows may have no request id under a UNIQUE index.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// where builds a WHERE clause from conditions, numbering placeholders from 1.
type where struct {
	conds []string
	args  []any
}

// add appends a condition whose ? marks take args in order.
func (w *where) add(cond string, args ...any) {
	var b strings.Builder
	for _, r := range cond {
		if r == '?' {
			w.args = append(w.args, args[0])
			args = args[1:]
			fmt.Fprintf(&b, "$%d", len(w.args))
			continue
		}
		b.WriteRune(r)
	}
	w.conds = append(w.conds, b.String())
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// Package store keeps the funding service's funders, posts, plans, agreements and contributions
// in SQL, the same queries on SQLite and PostgreSQL, and writes each change's event to the
// outbox in the change's transaction.
//
// Locks. On PostgreSQL a read-modify-write locks what it reads, always in the order
// plan -> agreement -> contribution, so that two writers never wait on each other in a cycle:
// UpdatePlan locks its plan then shares its agreement; CreateAgreement and TransitionAgreement
// share the plan then lock the agreement; UpdateContribution shares the agreement then locks
// the contribution. SQLite needs none of it: its transactions take the write lock when they
// begin (_txlock=immediate).
//
// Errors. The store returns the domain's sentinels bare when they concern the resource the
// caller named, since the caller wraps them with that name; an error about another resource
// (the post of a new plan, the plan of a new agreement) names it.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/funding/internal/domain"
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

// Open migrates db (the outbox's tables and the funding service's) and returns a Store on it.
func Open(ctx context.Context, db *storage.DB, encode EventEncoder, committed func()) (*Store, error) {
	if encode == nil {
		return nil, errors.New("store: nil event encoder")
	}
	if err := storage.Migrate(ctx, db, outbox.Migrations, "goose_outbox"); err != nil {
		return nil, err
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := storage.Migrate(ctx, db, sub, "goose_funding"); err != nil {
		return nil, err
	}
	if committed == nil {
		committed = func() {}
	}
	return &Store{db: db, encode: encode, committed: committed}, nil
}

// errNoEvent is returned when a closure approves a change without its event: writing the
// change alone would break the outbox's promise, so nothing is written.
var errNoEvent = errors.New("store: a change approved without its event")

// write runs fn in a transaction; the events fn returns are added to the outbox before commit.
// fn returns no events to write nothing (an idempotent replay); a nil event is refused.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) ([]*domain.Event, error)) error {
	wrote := false
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		events, err := fn(tx)
		if err != nil {
			return err
		}
		for _, ev := range events {
			if ev == nil {
				return errNoEvent
			}
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

// forUpdate locks the rows a read-modify-write reads (PostgreSQL only, see the package doc).
// NO KEY UPDATE is enough, since no update changes a key, and it lets other transactions insert
// rows that reference the locked one (foreign key checks take KEY SHARE).
func (s *Store) forUpdate() string { return s.lock(" FOR NO KEY UPDATE") }

// forShare keeps the rows a write depends on from changing until it commits.
func (s *Store) forShare() string { return s.lock(" FOR SHARE") }

// forKeyShare keeps a row a write only needs to exist, as a foreign key check does.
func (s *Store) forKeyShare() string { return s.lock(" FOR KEY SHARE") }

func (s *Store) lock(clause string) string {
	if s.db.Dialect == storage.Postgres {
		return clause
	}
	return ""
}

// querier is what both the database and a transaction offer.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

type scanner interface{ Scan(dest ...any) error }

// uniqueViolation reports whether err is a unique-constraint violation. Which constraint is not
// told: when a row repeats both a key and a request id, PostgreSQL reports either.
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

// in appends "column IN (...)" over values, which must not be empty.
func (w *where) in(column string, values []string) {
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	w.add(column+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", ")+")", args...)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// filterColumn says which column a Query filter key compares, and whether its value is an
// integer (given as decimal text, e.g. year "2024").
type filterColumn struct {
	column  string
	integer bool
}

// applyFilters adds q's filters to w. An unknown key is a programming mistake at the edge, which
// validates filters against the same lists, so it is an error rather than ignored; an empty
// value does not filter.
func applyFilters(w *where, list string, filters map[string]string, allowed map[string]filterColumn) error {
	keys := make([]string, 0, len(filters))
	for k := range filters {
		keys = append(keys, k)
	}
	slices.Sort(keys) // a stable SQL text for a given query
	for _, k := range keys {
		col, ok := allowed[k]
		if !ok {
			return fmt.Errorf("store: %s cannot be filtered by %q", list, k)
		}
		v := filters[k]
		if v == "" {
			continue
		}
		if col.integer {
			n, err := strconv.ParseInt(v, 10, 32)
			if err != nil {
				return fmt.Errorf("store: %s filter %s = %q is not an integer", list, k, v)
			}
			w.add(col.column+" = ?", n)
			continue
		}
		w.add(col.column+" = ?", v)
	}
	return nil
}

// readPage reads one page: the total of rows matching w (before the resume condition), then the
// rows after the resume key in order. A limit <= 0 reads every row.
func readPage[T any](ctx context.Context, q querier, table, columns string, w *where, resume func(*where) error,
	order string, limit int, scan func(scanner) (T, error)) ([]T, int, error) {
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if err := resume(w); err != nil {
		return nil, 0, err
	}
	query := `SELECT ` + columns + ` FROM ` + table + w.String() + ` ORDER BY ` + order
	if limit > 0 {
		query += fmt.Sprintf(` LIMIT %d`, limit)
	}
	out, err := collect(ctx, q, query, w.args, scan)
	return out, total, err
}

// collect runs query and scans every row.
func collect[T any](ctx context.Context, q querier, query string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// chunks splits values into slices of at most inChunk, so that an IN list stays far below
// either engine's limit on placeholders.
func chunks(values []string) [][]string {
	const inChunk = 500
	var out [][]string
	for len(values) > inChunk {
		out = append(out, values[:inChunk])
		values = values[inChunk:]
	}
	if len(values) > 0 {
		out = append(out, values)
	}
	return out
}

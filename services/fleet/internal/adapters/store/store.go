// Package store keeps the fleet service's vehicles and cessions in SQL, the same queries on
// SQLite and PostgreSQL, and writes each change's events to the outbox in the change's
// transaction.
//
// One open cession per vehicle. The rule that matters most here is enforced by the database,
// not only by Go: the partial unique index cessions_one_open_per_vehicle admits one PROPOSED or
// APPROVED cession per vehicle whatever the callers do. ProposeCession also locks the vehicle
// and looks for an open cession before it asks its closure, so that under concurrency the
// losers are told ErrVehicleTaken rather than racing to the index; the index is what makes the
// rule hold should any path forget.
//
// Locks. On PostgreSQL a read-modify-write locks what it reads, always the vehicle before its
// cession, so that two writers never wait on each other in a cycle: UpdateVehicle locks the
// vehicle; ProposeCession locks the vehicle then inserts the cession; TransitionCession reads the
// cession unlocked to learn its vehicle (which never changes), locks the vehicle, then the
// cession. SQLite needs none of it: its transactions take the write lock when they begin
// (_txlock=immediate), so writers run one at a time.
//
// Errors. The store returns the domain's sentinels bare when they concern the resource the
// caller named, since the caller wraps them with that name; an error about another resource (the
// vehicle of a new cession, a VIN another vehicle holds) names it.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/fleet/internal/domain"
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

// Open migrates db (the outbox's tables and the fleet's) and returns a Store on it.
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
	if err := storage.Migrate(ctx, db, sub, "goose_fleet"); err != nil {
		return nil, err
	}
	if committed == nil {
		committed = func() {}
	}
	return &Store{db: db, encode: encode, committed: committed}, nil
}

// errNoEvent is returned when a change is approved without its events: writing the change alone
// would break the outbox's promise, so nothing is written.
var errNoEvent = errors.New("store: a change approved without its events")

// approved checks the events a caller gave with a change: at least one, none nil.
func approved(events []*domain.Event) ([]*domain.Event, error) {
	if len(events) == 0 || slices.Contains(events, nil) {
		return nil, errNoEvent
	}
	return events, nil
}

// write runs fn in a transaction; the events fn returns are added to the outbox before commit.
// fn returns no events only when it writes nothing (an idempotent replay); a change is checked
// with approved before it is written.
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
// finer). Writes set it on the resource they store, so that what a write returns, its events
// and a later read agree on either engine.
func stored(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// forUpdate locks the rows a read-modify-write reads (PostgreSQL only, see the package doc).
// NO KEY UPDATE is enough, since no write changes a key, and it lets other transactions insert
// rows that reference the locked one (foreign key checks take KEY SHARE).
func (s *Store) forUpdate() string {
	if s.db.Dialect == storage.Postgres {
		return " FOR NO KEY UPDATE"
	}
	return ""
}

// querier is what both the database and a transaction offer.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

type scanner interface{ Scan(dest ...any) error }

// uniqueKey names a unique constraint as each engine reports it: PostgreSQL by the constraint or
// index name (the migrations name them), SQLite by its table.column.
type uniqueKey struct{ postgres, sqlite string }

// The unique keys whose violation tells a caller more than ErrAlreadyExists.
var (
	vinKey            = uniqueKey{"vehicles_vin_key", "vehicles.vin"}
	oneOpenCessionKey = uniqueKey{"cessions_one_open_per_vehicle", "cessions.vehicle"}
)

// sqliteUniqueFailed starts the text of SQLite's unique violations, before the columns.
const sqliteUniqueFailed = "UNIQUE constraint failed: "

// uniqueViolation reports whether err is a unique-constraint violation. When a row repeats two
// keys, PostgreSQL reports either; callers that care look up what they can (the request id).
func uniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	msg := err.Error()
	return strings.Contains(msg, sqliteUniqueFailed) || strings.Contains(msg, "PRIMARY KEY constraint failed")
}

// violates reports whether err is a violation of key.
func violates(err error, key uniqueKey) bool {
	if !uniqueViolation(err) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.ConstraintName == key.postgres
	}
	// modernc's text: "constraint failed: UNIQUE constraint failed: cessions.vehicle (2067)".
	_, after, ok := strings.Cut(err.Error(), sqliteUniqueFailed)
	if !ok {
		return false
	}
	cols, _, _ := strings.Cut(after, " (")
	return cols == key.sqlite
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

// applyFilters adds q's filters to w; allowed maps each filter key to its column. An unknown key
// is a programming mistake at the edge, which validates filters against the same lists, so it
// is an error rather than ignored; an empty value does not filter.
func applyFilters(w *where, list string, filters map[string]string, allowed map[string]string) error {
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
		if v := filters[k]; v != "" {
			w.add(col+" = ?", v)
		}
	}
	return nil
}

// readPage reads one page ordered by id: the total of rows matching w (before the resume
// condition), then the rows after the resume key. A limit <= 0 reads every row.
func readPage[T any](ctx context.Context, q querier, table, columns string, w *where, after string, limit int,
	scan func(scanner) (T, error)) ([]T, int, error) {
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if after != "" {
		w.add("id > ?", after)
	}
	query := `SELECT ` + columns + ` FROM ` + table + w.String() + ` ORDER BY id`
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

// checkDate refuses a malformed day a query compares with: text order is date order only
// between well-formed days, so a bad one would select the wrong rows silently.
func checkDate(what string, d domain.Date) error {
	if d != "" && !d.Valid() {
		return fmt.Errorf("store: %s %q is not a calendar day", what, d)
	}
	return nil
}

// Package store keeps the statistics service's reports and national figures in SQL, the same
// queries on SQLite and PostgreSQL, and writes each change's events to the outbox in the change's
// transaction.
//
// Revisions. A report is never changed: each submission adds the next revision, numbered from
// the latest one read in its transaction. Two submissions of the same report at once may read the
// same latest revision; the primary key (network, period, revision) then admits the first and
// refuses the second, which is told ErrConcurrentRevision. SQLite never gets there, since its
// transactions take the write lock when they begin (_txlock=immediate) and writers run one at a
// time; on PostgreSQL the race is real, and no lock is taken to queue the writers: the port lets
// the loser fail, and a conflicting correction is better retried by a person who sees it.
//
// The latest revision. LatestReports, the service's hot query, reads the latest revision of
// thousands of reports at once. Each row carries a latest flag, cleared on the previous latest
// row in the transaction that adds the next revision (one UPDATE by primary key), and the partial
// unique index reports_latest holds the latest rows only, in the query's order: the query is one
// index range (one network) or one scan of the latest rows (all networks), with no sort and no
// per-row subquery on either engine. The unique index also makes "one latest revision per
// report" a rule of the database. The alternatives, a correlated MAX(revision) or NOT EXISTS of a
// later revision, need no upkeep on write but probe the primary key once per row, a cost that
// grows with the revisions kept. Measured by BenchmarkLatestReports on ten years of monthly
// reports of 100 networks (12,000 reports, 13,200 rows; medians of 5 on a busy 2-core machine),
// the bare query takes 22 ms on SQLite and 26 ms on PostgreSQL with the flag, against 34-36 ms
// and 46-52 ms for the alternatives; the whole LatestReports, decoding included, 36 and 37 ms.
//
// Errors. ErrNotFound is returned bare, since the caller named the report or figure and wraps
// it with that name. ErrConcurrentRevision is wrapped with the report's name and the revision
// another submission took; ErrAlreadyExists with the reason (the year is taken), without the
// figure's name, which the caller adds.
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
	"github.com/vif71/vif/services/statistics/internal/domain"
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

// Open migrates db (the outbox's tables and the statistics service's) and returns a Store on it.
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
	if err := storage.Migrate(ctx, db, sub, "goose_statistics"); err != nil {
		return nil, err
	}
	if committed == nil {
		committed = func() {}
	}
	return &Store{db: db, encode: encode, committed: committed}, nil
}

// errNoEvent is returned when a change comes without its events: writing the change alone would
// break the outbox's promise, so nothing is written.
var errNoEvent = errors.New("store: a change without its events")

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

// querier is what both the database and a transaction offer.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

type scanner interface{ Scan(dest ...any) error }

// uniqueKey names a unique constraint as each engine reports it: PostgreSQL by the constraint or
// index name (the migrations name them), SQLite by its table.columns.
type uniqueKey struct{ postgres, sqlite string }

// The unique keys a write may violate.
var (
	reportKey       = uniqueKey{"reports_pkey", "reports.network, reports.period, reports.revision"}
	latestReportKey = uniqueKey{"reports_latest", "reports.network, reports.year, reports.first_month, reports.granularity"}
	figureYearKey   = uniqueKey{"national_figures_pkey", "national_figures.year"}
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
	// modernc's text: "constraint failed: UNIQUE constraint failed: reports.network, ... (1555)".
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

// limitClause bounds a query to limit rows; a limit <= 0 reads every row. The limit is an int
// the store formats itself, never text from a caller.
func limitClause(limit int) string {
	if limit <= 0 {
		return ""
	}
	return fmt.Sprintf(` LIMIT %d`, limit)
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

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
	"embed"

	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/sqlstore"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

//go:embed migrations
var migrations embed.FS

// Store implements domain.Repository on its shell (platform/sqlstore), which holds the database
// (DB), writes each change with its events in one transaction (Write: fn returns no events only
// when it writes nothing, an idempotent replay; a nil event is refused) and keeps the seeds
// bookkeeping.
type Store struct{ sqlstore.Shell[*domain.Event] }

// Open migrates db (the outbox's tables and the statistics service's) and returns a Store on it.
// encode turns a domain event into the outbox record to publish (subject, payload); the gRPC
// adapter provides it, since the payload is the API's protobuf message.
func Open(ctx context.Context, db *storage.DB, encode func(*domain.Event) (outbox.Event, error), committed func()) (*Store, error) {
	return sqlstore.New[Store](ctx, db, "statistics", migrations, encode, committed)
}

// The unique keys a write may violate.
var (
	reportKey = storage.UniqueKey{
		Postgres: "reports_pkey",
		SQLite:   "reports.network, reports.period, reports.revision",
	}
	latestReportKey = storage.UniqueKey{
		Postgres: "reports_latest",
		SQLite:   "reports.network, reports.year, reports.first_month, reports.granularity",
	}
	figureYearKey = storage.UniqueKey{Postgres: "national_figures_pkey", SQLite: "national_figures.year"}
)

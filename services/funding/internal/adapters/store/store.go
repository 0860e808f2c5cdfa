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

	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/sqlstore"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/funding/internal/domain"
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

// Open migrates db (the outbox's tables and the funding service's) and returns a Store on it.
func Open(ctx context.Context, db *storage.DB, encode EventEncoder, committed func()) (*Store, error) {
	shell, err := sqlstore.Open(ctx, db, "funding", migrations, encode, committed)
	if err != nil {
		return nil, err
	}
	return &Store{Shell: shell, db: db}, nil
}

// write runs fn in a transaction and adds the events it returns to the outbox in it
// (outbox.WriteTx). fn returns no events to write nothing (an idempotent replay); a nil event is
// refused.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) ([]*domain.Event, error)) error {
	return s.Write(ctx, fn)
}

// forUpdate locks the rows a read-modify-write reads (PostgreSQL only, see the package doc).
// NO KEY UPDATE is enough, since no update changes a key, and it lets other transactions insert
// rows that reference the locked one (foreign key checks take KEY SHARE).
func (s *Store) forUpdate() string { return s.db.Lock(" FOR NO KEY UPDATE") }

// forShare keeps the rows a write depends on from changing until it commits.
func (s *Store) forShare() string { return s.db.Lock(" FOR SHARE") }

// forKeyShare keeps a row a write only needs to exist, as a foreign key check does.
func (s *Store) forKeyShare() string { return s.db.Lock(" FOR KEY SHARE") }

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

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
	"embed"

	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/sqlstore"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/funding/internal/domain"
)

//go:embed migrations
var migrations embed.FS

// Store implements domain.Repository on its shell (platform/sqlstore), which holds the database
// (DB), writes each change with its events in one transaction (Write: fn returns no events only
// when it writes nothing, an idempotent replay; a nil event is refused) and keeps the seeds
// bookkeeping.
type Store struct{ sqlstore.Shell[*domain.Event] }

// Open migrates db (the outbox's tables and the funding service's) and returns a Store on it.
// encode turns a domain event into the outbox record to publish (subject, payload); the gRPC
// adapter provides it, since the payload is the API's protobuf message.
func Open(ctx context.Context, db *storage.DB, encode func(*domain.Event) (outbox.Event, error), committed func()) (*Store, error) {
	return sqlstore.New[Store](ctx, db, "funding", migrations, encode, committed)
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

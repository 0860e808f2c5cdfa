// Package store keeps the fleet service's vehicles and cessions in SQL, the same queries on
// SQLite and PostgreSQL, and writes each change's events to the outbox in the change's
// transaction.
//
// One open cession per vehicle. The rule is the domain's (domain.VehicleFree); the database is
// its last guard: the partial unique index cessions_one_open_per_vehicle admits one PROPOSED or
// APPROVED cession per vehicle whatever the callers do. ProposeCession locks the vehicle and
// hands its closure the vehicle's open cession, so that under concurrency the losers are told
// ErrVehicleTaken, naming the open cession, rather than racing to the index; the index is what
// makes the rule hold should any path forget.
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
	"fmt"

	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/sqlstore"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/fleet/internal/domain"
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

// Open migrates db (the outbox's tables and the fleet's) and returns a Store on it.
func Open(ctx context.Context, db *storage.DB, encode EventEncoder, committed func()) (*Store, error) {
	shell, err := sqlstore.Open(ctx, db, "fleet", migrations, encode, committed)
	if err != nil {
		return nil, err
	}
	return &Store{Shell: shell, db: db}, nil
}

// write runs fn in a transaction and adds the events it returns to the outbox in it
// (outbox.WriteTx). fn returns no events only when it writes nothing (an idempotent replay); a
// change is checked with outbox.RequireEvents before it is written.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) ([]*domain.Event, error)) error {
	return s.Write(ctx, fn)
}

// forUpdate locks the rows a read-modify-write reads (PostgreSQL only, see the package doc).
// NO KEY UPDATE is enough, since no write changes a key, and it lets other transactions insert
// rows that reference the locked one (foreign key checks take KEY SHARE).
func (s *Store) forUpdate() string { return s.db.Lock(" FOR NO KEY UPDATE") }

// The unique keys whose violation tells a caller more than ErrAlreadyExists.
var (
	vinKey            = storage.UniqueKey{Postgres: "vehicles_vin_key", SQLite: "vehicles.vin"}
	oneOpenCessionKey = storage.UniqueKey{Postgres: "cessions_one_open_per_vehicle", SQLite: "cessions.vehicle"}
	heldPlateKey      = storage.UniqueKey{Postgres: "vehicles_held_plate", SQLite: "vehicles.plate"}
)

// checkDate refuses a malformed day a query compares with: text order is date order only
// between well-formed days, so a bad one would select the wrong rows silently.
func checkDate(what string, d domain.Date) error {
	if d != "" && !d.Valid() {
		return fmt.Errorf("store: %s %q is not a calendar day", what, d)
	}
	return nil
}

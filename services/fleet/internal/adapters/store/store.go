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
	"embed"
	"fmt"

	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/sqlstore"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

//go:embed migrations
var migrations embed.FS

// Store implements domain.Repository on its shell (platform/sqlstore), which holds the database
// (DB), writes each change with its events in one transaction (Write: fn returns no events only
// when it writes nothing, an idempotent replay; a nil event is refused) and keeps the seeds
// bookkeeping.
type Store struct{ sqlstore.Shell[*domain.Event] }

// Open migrates db (the outbox's tables and the fleet's) and returns a Store on it.
// encode turns a domain event into the outbox record to publish (subject, payload); the gRPC
// adapter provides it, since the payload is the API's protobuf message.
func Open(ctx context.Context, db *storage.DB, encode func(*domain.Event) (outbox.Event, error), committed func()) (*Store, error) {
	return sqlstore.New[Store](ctx, db, "fleet", migrations, encode, committed)
}

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

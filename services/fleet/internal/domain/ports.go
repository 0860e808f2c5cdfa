package domain

import (
	"context"
	"time"
)

// Clock gives the time; tests inject a fixed one.
type Clock func() time.Time

// IDs makes new unique ids.
type IDs func() string

// Directory answers what the directory service knows of an organisation.
type Directory interface {
	// OrganisationKind returns an organisation's kind (e.g. "ISCG"); ErrNotFound when it does not
	// exist, resource.ErrDirectoryUnavailable when the directory cannot be reached.
	// It is asked before a new record names the organisation, so a soft-deleted one gives
	// resource.ErrOrganisationDeleted.
	OrganisationKind(ctx context.Context, organisation string) (string, error)
}

// Query selects a page of resources: Filters are column filters the edge validated; After is the
// key to resume after; a Limit of 0 or less means every row.
type Query struct {
	Filters map[string]string
	After   string
	Limit   int
}

// CessionQuery adds the window of handover days to a Query.
type CessionQuery struct {
	Query
	HandedOverFrom, HandedOverTo Date // inclusive; both empty: no window
	OverdueOn                    Date // when set: handed over, not declared, deadline before it
}

// Repository stores vehicles and cessions. Every write records its events in the same
// transaction (the transactional outbox), or does nothing; read-modify-write goes through
// closures run inside the transaction. A closure that approves a change returns its events.
type Repository interface {
	// RegisterVehicle inserts v; a taken id or VIN gives ErrAlreadyExists; a request whose
	// idempotency key (in ctx, set at the edge from its request_id) was seen returns the vehicle
	// registered then.
	RegisterVehicle(ctx context.Context, v *Vehicle, events []*Event) (_ *Vehicle, created bool, _ error)
	GetVehicle(ctx context.Context, id string) (*Vehicle, error)
	ListVehicles(ctx context.Context, q Query) (_ []*Vehicle, total int, _ error) // filters: state, make, vin, plate
	UpdateVehicle(ctx context.Context, id string, update func(*Vehicle) ([]*Event, error)) (*Vehicle, error)

	// ProposeCession locks the vehicle, hands propose the vehicle and the id of its open
	// cession ("" when none) to check them (VehicleFree, Cession.Propose), change the vehicle
	// (reserve it) and build the cession's events, then inserts c and writes the vehicle. At
	// most one open cession per vehicle holds under concurrency: the store's unique index is the
	// last guard, its violation ErrVehicleTaken, whatever the interleaving. A request whose
	// idempotency key was seen returns the cession proposed then.
	ProposeCession(ctx context.Context, c *Cession, propose func(v *Vehicle, open string) ([]*Event, error)) (_ *Cession, created bool, _ error)
	GetCession(ctx context.Context, id string) (*Cession, error)
	ListCessions(ctx context.Context, q CessionQuery) (_ []*Cession, total int, _ error) // filters: state, beneficiary, beneficiary_kind, vehicle
	// TransitionCession loads the cession and its vehicle, lets change update both, and writes
	// them with the events.
	TransitionCession(ctx context.Context, id string, change func(c *Cession, v *Vehicle) ([]*Event, error)) (*Cession, error)
	// CountHandedOver counts the cessions handed over between two days (inclusive), by
	// beneficiary kind.
	CountHandedOver(ctx context.Context, from, to Date) (map[string]int, error)

	Seeded(ctx context.Context, name string) (bool, error)
	MarkSeeded(ctx context.Context, name string, at time.Time) error
}

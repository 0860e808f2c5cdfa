package domain

import (
	"context"
	"time"
)

// Referential answers what the département's official referential says (read-only).
type Referential interface {
	HasCommune(inseeCode string) bool
	HasNetwork(id string) bool
}

// Clock gives the time; tests inject a fixed one.
type Clock func() time.Time

// IDs makes new unique ids (for resources without a caller-chosen id, and for events).
type IDs func() string

// Repository stores organisations and members. Every write takes the events that describe it and
// records them atomically with the change (the transactional outbox), or does neither.
//
// Updates and deletes are read-modify-write closures run inside the transaction, so the rule
// (etag, state) is checked against the row as it is when written.
type Repository interface {
	// CreateOrganisation inserts o. When the idempotency key in ctx (set at the edge from the
	// request_id) was already used for the same request, the organisation created then is
	// returned with created=false and nothing is written. An id already taken gives
	// ErrAlreadyExists.
	CreateOrganisation(ctx context.Context, o *Organisation, ev *Event) (_ *Organisation, created bool, _ error)
	GetOrganisation(ctx context.Context, id string) (*Organisation, error)
	ListOrganisations(ctx context.Context, q OrganisationQuery) (_ []*Organisation, total int, _ error)
	// UpdateOrganisation loads the organisation (deleted or not), lets update change it and name
	// the event, and writes both (its delete time too, so that an undelete is an update).
	UpdateOrganisation(ctx context.Context, id string, update func(*Organisation) (*Event, error)) (*Organisation, error)
	// DeleteOrganisation loads the organisation and the number of members that belong to it,
	// lets del mark it deleted (Organisation.Delete) and name the event, and writes both: the row
	// stays, with its delete time (a soft delete).
	DeleteOrganisation(ctx context.Context, id string, del func(o *Organisation, members int) (*Event, error)) (*Organisation, error)

	// CreateMember inserts m after check has approved it against its organisation (read in the
	// same transaction; nil when it does not exist). The idempotency key as for organisations.
	CreateMember(ctx context.Context, m *Member, check func(org *Organisation) (*Event, error)) (_ *Member, created bool, _ error)
	GetMember(ctx context.Context, network, id string) (*Member, error)
	ListMembers(ctx context.Context, q MemberQuery) (_ []*Member, total int, _ error)
	// UpdateMember loads the member, lets update change it (given a way to read the organisation
	// it now names, in the transaction: nil when it does not exist), and writes it with the event.
	UpdateMember(ctx context.Context, network, id string, update func(m *Member, orgOf func(id string) (*Organisation, error)) (*Event, error)) (*Member, error)
	DeleteMember(ctx context.Context, network, id string, check func(*Member) (*Event, error)) error

	// Seeded reports whether the seed named name was applied; MarkSeeded records that it was.
	Seeded(ctx context.Context, name string) (bool, error)
	MarkSeeded(ctx context.Context, name string, at time.Time) error
}

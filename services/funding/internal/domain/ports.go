package domain

import (
	"context"
	"time"
)

// Clock gives the time; tests inject a fixed one.
type Clock func() time.Time

// IDs makes new unique ids.
type IDs func() string

// Directory answers what the directory service knows. Implementations return
// resource.ErrDirectoryUnavailable when it cannot be reached, so no write goes ahead on a guess.
type Directory interface {
	// NetworkEPCIs returns the SIRENs of the EPCIs a network covers; ErrNotFound when there is no
	// such network.
	NetworkEPCIs(ctx context.Context, network string) ([]string, error)
	// OrganisationKind returns an organisation's kind (e.g. "POLICE"); ErrNotFound when missing.
	// It is asked before a new record names the organisation, so a soft-deleted one gives
	// resource.ErrOrganisationDeleted.
	OrganisationKind(ctx context.Context, organisation string) (string, error)
	// EPCI returns an EPCI's name and the population of its communes in the département;
	// ErrNotFound when the SIREN is not in the referential.
	EPCI(ctx context.Context, siren string) (EPCIInfo, error)
	// CommuneExists reports whether an INSEE code is a commune of the referential.
	CommuneExists(ctx context.Context, code string) (bool, error)
}

// EPCIInfo is what the directory says of an EPCI.
type EPCIInfo struct {
	Name       string
	Population int64
}

// Query selects a page of resources; empty fields do not filter, and a Limit of 0 or less
// means every row.
type Query struct {
	Filters map[string]string // column-level filters the edge has validated, e.g. "kind"
	After   string            // resume after this key
	Limit   int
}

// Repository stores the funding data. Every write records its events in the same transaction
// (the transactional outbox), or does nothing. Read-modify-write goes through closures run inside
// the transaction.
type Repository interface {
	// CreateFunder inserts f; an id already taken, or a second funder for the same EPCI, gives
	// ErrAlreadyExists. Every create takes its idempotency key from ctx (set at the edge from the
	// request_id): a request whose key was seen returns what it created then (created false).
	CreateFunder(ctx context.Context, f *Funder, ev *Event) (_ *Funder, created bool, _ error)
	GetFunder(ctx context.Context, id string) (*Funder, error)
	ListFunders(ctx context.Context, q Query) (_ []*Funder, total int, _ error) // filters: kind, epci, organisation
	UpdateFunder(ctx context.Context, id string, update func(*Funder) (*Event, error)) (*Funder, error)

	CreatePost(ctx context.Context, p *Post, ev *Event) (_ *Post, created bool, _ error)
	GetPost(ctx context.Context, id string) (*Post, error)
	ListPosts(ctx context.Context, q Query) (_ []*Post, total int, _ error) // filters: network, host_organisation
	UpdatePost(ctx context.Context, id string, update func(*Post) (*Event, error)) (*Post, error)

	// CreatePlan inserts p after check approved it, given the funders the plan names (read in
	// the same transaction; missing ones are absent from the map). A plan for the same post and
	// year gives ErrAlreadyExists; a post that does not exist gives ErrNotFound.
	CreatePlan(ctx context.Context, p *Plan, check func(funders map[string]*Funder) (*Event, error)) (_ *Plan, created bool, _ error)
	GetPlan(ctx context.Context, post string, year int32) (*Plan, error)
	ListPlans(ctx context.Context, q Query) (_ []*Plan, total int, _ error) // filters: post, year; key "post/year"
	// UpdatePlan loads the plan and the state of its agreement ("" when none), lets update change
	// it with the funders it names, and writes it.
	UpdatePlan(ctx context.Context, post string, year int32, update func(p *Plan, agreement AgreementState, funders func(ids []string) (map[string]*Funder, error)) (*Event, error)) (*Plan, error)
	// FundersByEPCI returns the EPCI funders of the given SIRENs, keyed by SIREN.
	FundersByEPCI(ctx context.Context, sirens []string) (map[string]*Funder, error)

	// CreateAgreement inserts a draft after check approved it against its plan (nil when
	// missing) and whether the plan already has an agreement.
	CreateAgreement(ctx context.Context, a *Agreement, check func(plan *Plan, taken bool) (*Event, error)) (_ *Agreement, created bool, _ error)
	GetAgreement(ctx context.Context, id string) (*Agreement, error)
	ListAgreements(ctx context.Context, q Query) (_ []*Agreement, total int, _ error) // filters: state, year, post
	// TransitionAgreement loads the agreement and its plan, lets change move it (and return the
	// contributions to open, when signing), and writes everything with the event.
	TransitionAgreement(ctx context.Context, id string, change func(a *Agreement, plan *Plan) ([]*Contribution, *Event, error)) (*Agreement, error)

	GetContribution(ctx context.Context, agreement, funder string) (*Contribution, error)
	ListContributions(ctx context.Context, q Query) (_ []*Contribution, total int, _ error) // filters: agreement, funder, year; key "agreement/funder"
	// UpdateContribution loads the contribution and its agreement's state, lets change update it,
	// and writes it with the event. An idempotency key in ctx (a payment's request_id) identifies
	// a payment (the event's Payment): when it was already used for the same request, it returns
	// the contribution as it is and changes nothing.
	UpdateContribution(ctx context.Context, agreement, funder string, change func(c *Contribution, state AgreementState) (*Event, error)) (*Contribution, error)

	// PlansOfYear returns every plan of a year, and AgreementsOfYear every agreement, with the
	// contributions of the committed ones keyed by agreement id: the input of reports.
	PlansOfYear(ctx context.Context, year int32) ([]*Plan, error)
	AgreementsOfYear(ctx context.Context, year int32) ([]*Agreement, map[string][]*Contribution, error)

	Seeded(ctx context.Context, name string) (bool, error)
	MarkSeeded(ctx context.Context, name string, at time.Time) error
}

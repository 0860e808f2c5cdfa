package domain

import (
	"slices"
	"strconv"
	"time"

	"github.com/vif71/vif/platform/calendar"
	"github.com/vif71/vif/platform/resource"
)

// FunderKind says what a funder is: the proto enum's names without their FUNDER_KIND_ prefix.
type FunderKind string

// The kinds of funder.
const (
	KindState       FunderKind = "STATE"
	KindDepartement FunderKind = "DEPARTEMENT"
	KindEPCI        FunderKind = "EPCI"
	KindCommune     FunderKind = "COMMUNE"
	KindOther       FunderKind = "OTHER"
)

// FunderKinds lists every kind, in the proto enum's order.
var FunderKinds = []FunderKind{KindState, KindDepartement, KindEPCI, KindCommune, KindOther}

// Valid reports whether k is a known kind.
func (k FunderKind) Valid() bool { return slices.Contains(FunderKinds, k) }

// Date is a calendar day, "YYYY-MM-DD" (calendar.Date); the zero value means unknown.
type Date = calendar.Date

// Funder is a body that co-finances posts.
type Funder struct {
	ID           string
	DisplayName  string
	Kind         FunderKind
	EPCI         string // SIREN, for EPCI funders
	Commune      string // INSEE code, for commune funders
	Organisation string // directory organisation id whose officers act for the funder
	SIRET        string
	Illustrative bool
	resource.Meta
}

// Name is the funder's resource name.
func (f *Funder) Name() string { return "funders/" + f.ID }

// Etag is the funder's current etag.
func (f *Funder) Etag() string { return f.Meta.Etag(f.Name()) }

// FunderFields are the fields an update may change.
var FunderFields = []string{"display_name", "organisation", "siret"}

// Post is an ISCG post.
type Post struct {
	ID               string
	DisplayName      string
	Network          string // directory network id
	HostOrganisation string // directory organisation id (police or gendarmerie)
	FTEThousandths   int32
	StartDate        Date
	EndDate          Date   // empty when open-ended
	SIRET            string // of the body that employs the social worker and receives the funds
	Illustrative     bool
	resource.Meta
}

// Name is the post's resource name.
func (p *Post) Name() string { return "posts/" + p.ID }

// Etag is the post's current etag.
func (p *Post) Etag() string { return p.Meta.Etag(p.Name()) }

// PostFields are the fields an update may change.
var PostFields = []string{"display_name", "network", "host_organisation", "fte_thousandths", "start_date", "end_date", "siret"}

// RuleKind names how a plan splits the remainder after the State's share.
type RuleKind string

// The remainder rules.
const (
	RuleExplicit   RuleKind = "explicit"
	RulePopulation RuleKind = "population"
)

// DefaultStateShareBP is the State's share when a plan does not say: 33 %.
const DefaultStateShareBP = 3300

// Contribution amounts a plan computes for one funder.
type PlannedContribution struct {
	Funder      string // funder id
	Kind        FunderKind
	AmountCents int64
}

// Plan is how one post is financed for one year.
type Plan struct {
	Post               string // post id
	Year               int32
	AnnualCostCents    int64
	StateShareBP       int32
	StateFunder        string // funder id; empty when the State's share is 0
	Rule               RuleKind
	Shares             []Share  // RuleExplicit: funder ids and their share of the remainder
	DepartementFunder  string   // RulePopulation
	DepartementShareBP int32    // RulePopulation
	EPCIFunders        []string // RulePopulation: funder ids (resolved from the network when not given)
	Contributions      []PlannedContribution
	Revisions          int32 // revisions since creation
	Illustrative       bool
	resource.Meta
}

// PlanName returns the resource name of the plan of post for year.
func PlanName(post string, year int32) string {
	return "posts/" + post + "/plans/" + strconv.Itoa(int(year))
}

// Name is the plan's resource name.
func (p *Plan) Name() string { return PlanName(p.Post, p.Year) }

// Etag is the plan's current etag.
func (p *Plan) Etag() string { return p.Meta.Etag(p.Name()) }

// PlanFields are the fields an update may change.
var PlanFields = []string{"annual_cost_cents", "state_share_bp", "state_funder", "explicit_shares", "population_shares"}

// AgreementState is where an agreement is in its life.
type AgreementState string

// The states of an agreement: the proto enum's names without their AGREEMENT_STATE_ prefix.
const (
	StateDraft  AgreementState = "DRAFT"
	StateSigned AgreementState = "SIGNED"
	StateActive AgreementState = "ACTIVE"
	StateClosed AgreementState = "CLOSED"
)

// AgreementStates lists every state, in order.
var AgreementStates = []AgreementState{StateDraft, StateSigned, StateActive, StateClosed}

// Committed reports whether the agreement binds its funders (signed, active or closed).
func (s AgreementState) Committed() bool {
	return s == StateSigned || s == StateActive || s == StateClosed
}

// Agreement commits the funders to a plan.
type Agreement struct {
	ID         string
	Post       string // post id
	Year       int32
	State      AgreementState
	Reference  string
	Purpose    string
	SignDate   Date
	StartDate  Date
	CloseDate  Date
	TotalCents int64
	resource.Meta
}

// Name is the agreement's resource name.
func (a *Agreement) Name() string { return "agreements/" + a.ID }

// Etag is the agreement's current etag.
func (a *Agreement) Etag() string { return a.Meta.Etag(a.Name()) }

// Payment is money received for a contribution.
type Payment struct {
	AmountCents int64
	Date        Date
	Reference   string
}

// Contribution is one funder's share under a signed agreement.
type Contribution struct {
	Agreement   string // agreement id
	Funder      string // funder id
	FunderKind  FunderKind
	Year        int32
	AmountCents int64
	CalledCents int64
	PaidCents   int64
	Payments    []Payment
	Revision    int64
	UpdateTime  time.Time
}

// Name is the contribution's resource name.
func (c *Contribution) Name() string {
	return "agreements/" + c.Agreement + "/contributions/" + c.Funder
}

// Etag is the contribution's current etag.
func (c *Contribution) Etag() string { return resource.Etag(c.Name(), c.Revision) }

// DueCents is what was called and not paid yet.
func (c *Contribution) DueCents() int64 { return c.CalledCents - c.PaidCents }

// OutstandingCents is what remains to be paid in all.
func (c *Contribution) OutstandingCents() int64 { return c.AmountCents - c.PaidCents }

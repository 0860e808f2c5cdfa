package domain

import "time"

// EventType names a change the funding service publishes. The NATS subject is
// "vif.funding.v1." + the type.
type EventType string

// The funding service's events.
const (
	FunderCreated      EventType = "funder.created"
	FunderUpdated      EventType = "funder.updated"
	PostCreated        EventType = "post.created"
	PostUpdated        EventType = "post.updated"
	PlanCreated        EventType = "plan.created"
	PlanRevised        EventType = "plan.revised"
	AgreementCreated   EventType = "agreement.created"
	AgreementSigned    EventType = "agreement.signed"
	AgreementActivated EventType = "agreement.activated"
	AgreementClosed    EventType = "agreement.closed"
	ContributionCalled EventType = "contribution.called"
	PaymentRecorded    EventType = "payment.recorded"
)

// Event is one change, recorded in the same transaction as the change. Exactly one of the
// resource fields is set, as the type says.
type Event struct {
	ID            string
	Type          EventType
	Time          time.Time
	Funder        *Funder
	Post          *Post
	Plan          *Plan
	Agreement     *Agreement
	PreviousState AgreementState // agreement transitions
	Contribution  *Contribution
	AmountCents   int64    // contribution.called: this call's amount
	CallDate      Date     // contribution.called
	Payment       *Payment // payment.recorded
	UpdateMask    []string
}

package domain

import (
	"fmt"
	"strings"
	"time"

	"github.com/vif71/vif/platform/validation"
)

// The life of an agreement: DRAFT -Sign-> SIGNED -Activate-> ACTIVE; SIGNED or ACTIVE -Close->
// CLOSED. Signing freezes the plan and opens each funder's contribution with the plan's amount.

// Sign signs a draft on date under reference (the draft's own when empty), at the plan's cost,
// and returns the contributions it opens, updated at now.
func (a *Agreement) Sign(plan *Plan, reference string, date Date, now time.Time) ([]*Contribution, error) {
	if a.State != StateDraft {
		return nil, fmt.Errorf("%s is %s; only a draft can be signed: %w", a.Name(), a.State, ErrWrongState)
	}
	if reference = strings.TrimSpace(reference); reference != "" {
		a.Reference = reference
	}
	if a.Reference == "" {
		return nil, validation.Field("reference", "is required to sign: the reference of the signed act")
	}
	if !date.Valid() {
		return nil, validation.Field("sign_date", "is required: a valid calendar date")
	}
	a.State, a.SignDate, a.TotalCents = StateSigned, date, plan.AnnualCostCents
	contributions := make([]*Contribution, 0, len(plan.Contributions))
	for _, pc := range plan.Contributions {
		contributions = append(contributions, &Contribution{
			Agreement: a.ID, Funder: pc.Funder, FunderKind: pc.Kind, Year: plan.Year,
			AmountCents: pc.AmountCents, Revision: 1, UpdateTime: now,
		})
	}
	return contributions, nil
}

// Activate puts a signed agreement in force on date, not before its signature.
func (a *Agreement) Activate(date Date) error {
	if a.State != StateSigned {
		return fmt.Errorf("%s is %s; only a signed agreement can be activated: %w", a.Name(), a.State, ErrWrongState)
	}
	if !date.Valid() {
		return validation.Field("start_date", "is required: a valid calendar date")
	}
	if date < a.SignDate {
		return validation.Field("start_date", "is before the sign date "+string(a.SignDate))
	}
	a.State, a.StartDate = StateActive, date
	return nil
}

// Close closes a signed or active agreement on date, not before it was signed or took effect.
func (a *Agreement) Close(date Date) error {
	if a.State != StateSigned && a.State != StateActive {
		return fmt.Errorf("%s is %s; only a signed or active agreement can be closed: %w", a.Name(), a.State, ErrWrongState)
	}
	if !date.Valid() {
		return validation.Field("close_date", "is required: a valid calendar date")
	}
	if date < a.SignDate || (a.StartDate != "" && date < a.StartDate) {
		return validation.Field("close_date", "is before the agreement was signed or took effect")
	}
	a.State, a.CloseDate = StateClosed, date
	return nil
}

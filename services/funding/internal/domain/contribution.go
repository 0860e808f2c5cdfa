package domain

import (
	"fmt"
	"strings"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/validation"
)

// A contribution is called while its agreement is signed or active, never beyond what the funder
// owes; it is paid, in parts, up to what was called and not paid yet.

// Call asks the funder for amount cents (0: everything not called yet) on date while the
// agreement is in state, and returns the amount called. signed is the agreement as read before
// the contribution's transaction (see CheckReadSignature).
func (c *Contribution) Call(signed *Agreement, state AgreementState, amount int64, date Date) (int64, error) {
	if state != StateSigned && state != StateActive {
		return 0, fmt.Errorf("the agreement is %s; contributions are called while it is signed or active: %w", state, ErrWrongState)
	}
	if err := signed.CheckReadSignature(state, "call_date", date); err != nil {
		return 0, err
	}
	uncalled := c.AmountCents - c.CalledCents
	if amount == 0 {
		amount = uncalled
	}
	if amount == 0 {
		return 0, fmt.Errorf("everything owed (%d cents) was already called: %w", c.AmountCents, ErrWrongState)
	}
	if amount > uncalled {
		return 0, validation.Field("amount_cents", fmt.Sprintf("%d cents is more than what is left to call (%d cents)", amount, uncalled))
	}
	c.CalledCents += amount
	return amount, nil
}

// CheckPayment checks and tidies a payment on its own: a positive amount and a real day.
func CheckPayment(pay *Payment) error {
	pay.Reference = strings.TrimSpace(pay.Reference)
	var errs validation.Error
	if pay.AmountCents <= 0 {
		errs.Add("amount_cents", "must be positive (euro cents)")
	}
	if !pay.Date.Valid() {
		errs.Add("payment_date", "is required: a valid calendar date")
	}
	return errs.Err()
}

// Pay records pay while the agreement is in state (signed, active or closed), not before its
// signature: up to what was called and not paid yet. signed is the agreement as read before the
// contribution's transaction (see CheckReadSignature).
func (c *Contribution) Pay(signed *Agreement, state AgreementState, pay Payment) error {
	if !state.Committed() {
		return fmt.Errorf("the agreement is %s: %w", state, ErrWrongState)
	}
	if err := signed.CheckReadSignature(state, "payment_date", pay.Date); err != nil {
		return err
	}
	if pay.AmountCents > c.DueCents() {
		return validation.Field("amount_cents", fmt.Sprintf("%d cents is more than what was called and not paid (%d cents)", pay.AmountCents, c.DueCents()))
	}
	c.PaidCents += pay.AmountCents
	c.Payments = append(c.Payments, pay)
	return nil
}

// CheckReadSignature checks that d (the request's field) is not before the signature of a, which
// was read before the contribution's transaction: its sign date never changes once signed. When
// the transaction finds it in a signed state and the read did not (a signature landed in
// between), the request was judged on a stale read and is refused, to retry.
func (a *Agreement) CheckReadSignature(state AgreementState, field string, d Date) error {
	if state.Committed() && a.SignDate == "" {
		return fmt.Errorf("%s was signed while the request was read: %w", a.Name(), resource.ErrEtagMismatch)
	}
	return a.CheckAfterSignature(field, d)
}

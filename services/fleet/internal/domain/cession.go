package domain

import (
	"fmt"
	"strings"

	"github.com/vif71/vif/platform/validation"
)

// The life of a cession, and what each step does to its vehicle:
//
//	Propose  (new)                 -> PROPOSED     retired vehicle -> RESERVED
//	Approve  PROPOSED              -> APPROVED
//	Reject   PROPOSED              -> REJECTED     vehicle -> RETIRED (released)
//	Cancel   PROPOSED or APPROVED  -> CANCELLED    vehicle -> RETIRED (released)
//	HandOver APPROVED              -> HANDED_OVER  vehicle -> CEDED, odometer read; declare within 15 days
//	Declare  HANDED_OVER           -> DECLARED
//
// Any other step is ErrWrongState naming the cession and its state; a bad date or reason is a
// validation error naming the request's field.

// VehicleFree is the rule "a vehicle has at most one open cession": open is the id of the
// vehicle's open cession, "" when it has none. The repository looks it up under the vehicle's
// lock; the store's unique index on open cessions is the last guard.
func VehicleFree(vehicle, open string) error {
	if open == "" {
		return nil
	}
	return fmt.Errorf("%s is held by %s: %w", (&Vehicle{ID: vehicle}).Name(), (&Cession{ID: open}).Name(), ErrVehicleTaken)
}

// CheckProposal checks and tidies what a proposal gives: the vehicle, the beneficiary and the day
// of the proposal.
func (c *Cession) CheckProposal(date Date) error {
	var errs validation.Error
	errs.Require("cession.vehicle", c.Vehicle, "is required: vehicles/{vehicle}")
	errs.Require("cession.beneficiary", c.Beneficiary, "is required: organisations/{id}")
	if !date.Valid() {
		errs.Add("propose_date", "is required: a valid calendar date")
	}
	c.Note = strings.TrimSpace(c.Note)
	return errs.Err()
}

// CheckBeneficiaryKind refuses a beneficiary whose directory kind may not receive a vehicle.
func (c *Cession) CheckBeneficiaryKind(kind string) error {
	if !MayReceive(kind) {
		return validation.Field("cession.beneficiary", fmt.Sprintf("organisations/%s is of kind %s, which may not receive vehicles; kinds that may: %s",
			c.Beneficiary, kind, strings.Join(BeneficiaryKinds, ", ")))
	}
	c.BeneficiaryKind = kind
	return nil
}

// Propose makes c a cession of v proposed on date: v may have no other open cession (open is its
// id, "" when none) and must be retired, since no later than date; it is reserved for c.
func (c *Cession) Propose(v *Vehicle, open string, date Date) error {
	if err := VehicleFree(v.ID, open); err != nil {
		return err
	}
	if err := v.Reserve(date, "propose_date"); err != nil {
		return err
	}
	c.State, c.ProposeDate = Proposed, date
	return nil
}

// Approve approves a proposed cession on date, not before the proposal.
func (c *Cession) Approve(date Date) error {
	if c.State != Proposed {
		return c.wrongState("only a proposed cession can be approved")
	}
	if !date.Valid() || date < c.ProposeDate {
		return validation.Field("approve_date", "is required: a valid day, not before the proposal ("+string(c.ProposeDate)+")")
	}
	c.State, c.ApproveDate = Approved, date
	return nil
}

// Reject rejects a proposed cession on date, for reason; its vehicle v is retired again.
func (c *Cession) Reject(v *Vehicle, reason string, date Date) error {
	return c.end(v, reason, date, "reject_date", Rejected, Proposed)
}

// Cancel cancels a cession before its handover on date, for reason; its vehicle v is retired
// again.
func (c *Cession) Cancel(v *Vehicle, reason string, date Date) error {
	return c.end(v, reason, date, "cancel_date", Cancelled, Proposed, Approved)
}

// end closes c in state to from one of the states from, on date (named dateField in the
// request), not before the proposal, for a reason, and releases its vehicle.
func (c *Cession) end(v *Vehicle, reason string, date Date, dateField string, to CessionState, from ...CessionState) error {
	reason = strings.TrimSpace(reason)
	allowed := false
	for _, st := range from {
		allowed = allowed || c.State == st
	}
	if !allowed {
		return c.wrongState(fmt.Sprintf("only a cession that is %v can become %s", from, to))
	}
	var errs validation.Error
	errs.Require("reason", reason, "is required")
	if !date.Valid() || date < c.ProposeDate {
		errs.Add(dateField, "is required: a valid day, not before the proposal ("+string(c.ProposeDate)+")")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	c.State, c.EndDate, c.EndReason = to, date, reason
	v.State = Retired
	return nil
}

// HandOver records the official handover h of an approved cession, on the day today: the
// handover is checked (CheckHandover), its odometer reading too (Vehicle.CheckReading: never
// lower than the last one), the vehicle v is ceded with that reading, and the transfer must be
// declared within DeclarationDays of the handover.
func (c *Cession) HandOver(v *Vehicle, h Handover, today Date) error {
	if c.State != Approved {
		return c.wrongState("only an approved cession can be handed over")
	}
	if err := c.CheckHandover(&h, today); err != nil {
		return err
	}
	reading := OdometerReading{Date: h.Date, KM: h.OdometerKM}
	if err := v.CheckReading(reading, today, "handover.handover_date", "handover.odometer_km"); err != nil {
		return err
	}
	v.Readings = append(v.Readings, reading)
	v.State = Ceded
	c.State, c.Handover = HandedOver, &h
	c.DeclarationDeadline = h.Date.AddDays(DeclarationDays)
	return nil
}

// Declare records that the transfer of a handed-over cession was declared on date, on the day
// today (CheckDeclaration).
func (c *Cession) Declare(date, today Date) error {
	if c.State != HandedOver {
		return c.wrongState("only a handed-over cession can be declared")
	}
	if err := c.CheckDeclaration(date, today); err != nil {
		return err
	}
	c.State, c.DeclareDate = Declared, date
	return nil
}

func (c *Cession) wrongState(rule string) error {
	return fmt.Errorf("%s is %s; %s: %w", c.Name(), c.State, rule, ErrWrongState)
}

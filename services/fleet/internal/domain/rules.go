package domain

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // the Caf's calendar day is French: the binary carries the zone's rules

	"github.com/vif71/vif/platform/validation"
)

// paris is the zone of the Caf's calendar: "today" is the day in France, so that a reading taken
// just after midnight in Mâcon is not refused as tomorrow's while UTC is still on the day before.
var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic("domain: Europe/Paris: " + err.Error())
	}
	return loc
}()

// Today is the calendar day of now in France.
func Today(now time.Time) Date { return Date(now.In(paris).Format(time.DateOnly)) }

// notFuture records a violation of field when d is after today: what the Caf records (a reading,
// a handover, a declaration, a registration, a retirement) has happened.
func notFuture(errs *validation.Error, field string, d, today Date) {
	if d.Valid() && today != "" && d > today {
		errs.Add(field, fmt.Sprintf("%s is in the future (today is %s)", d, today))
	}
}

// Held reports whether the Caf still holds a vehicle in state s: in service, retired, or
// reserved for an open cession. A ceded vehicle belongs to its beneficiary and a scrapped one is
// destroyed, so their plates no longer count among the Caf's: a plate is unique among the
// vehicles the Caf holds.
func (s VehicleState) Held() bool { return s == InService || s == Retired || s == Reserved }

// HeldStates are the states in which the Caf holds a vehicle (see Held); the store's unique index
// on plates covers exactly these.
var HeldStates = []VehicleState{InService, Retired, Reserved}

// Validate checks and tidies the fields a fleet manager gives a vehicle, on the day today: the
// required fields, a first registration that is a real day and not in the future, and a retire
// date, when known, not before the first registration nor in the future. Fields are named as in
// a request that carries the vehicle ("vehicle.plate").
func (v *Vehicle) Validate(today Date) error {
	var errs validation.Error
	v.Make, v.Model, v.Plate = strings.TrimSpace(v.Make), strings.TrimSpace(v.Model), strings.TrimSpace(v.Plate)
	errs.Require("vehicle.vin", v.VIN, "is required: 17 characters, digits and capital letters without I, O and Q")
	errs.Require("vehicle.plate", v.Plate, "is required: AA-123-AA, or the older 123 ABC 71")
	errs.Require("vehicle.make", v.Make, "is required")
	errs.Require("vehicle.model", v.Model, "is required")
	if !v.FirstRegistrationDate.Valid() {
		errs.Add("vehicle.first_registration_date", "is required: a valid calendar date")
	}
	notFuture(&errs, "vehicle.first_registration_date", v.FirstRegistrationDate, today)
	if v.RetireDate != "" {
		v.checkRetireDate(&errs, "vehicle.retire_date", v.RetireDate, today)
	}
	return errs.Err()
}

func (v *Vehicle) checkRetireDate(errs *validation.Error, field string, d, today Date) {
	if !d.Valid() {
		errs.Add(field, "is required: a valid calendar date")
		return
	}
	if v.FirstRegistrationDate.Valid() && d < v.FirstRegistrationDate {
		errs.Add(field, fmt.Sprintf("%s is before the vehicle's first registration (%s)", d, v.FirstRegistrationDate))
	}
	notFuture(errs, field, d, today)
}

// CheckReading refuses a reading that goes back in time or distance, predates the first
// registration or is dated after today. The violations name the request's own fields: a
// reading's reading_date and odometer_km, or a handover's handover_date and odometer_km.
func (v *Vehicle) CheckReading(r OdometerReading, today Date, dateField, kmField string) error {
	var errs validation.Error
	if !r.Date.Valid() {
		errs.Add(dateField, "is required: a valid calendar date")
	}
	if r.KM < 0 {
		errs.Add(kmField, "must not be negative")
	}
	if n := len(v.Readings); n > 0 {
		last := v.Readings[n-1]
		if r.KM < last.KM {
			errs.Add(kmField, fmt.Sprintf("%d km is lower than the previous reading (%d km on %s)", r.KM, last.KM, last.Date))
		}
		if r.Date != "" && r.Date < last.Date {
			errs.Add(dateField, fmt.Sprintf("%s is before the previous reading (%s)", r.Date, last.Date))
		}
	}
	if v.FirstRegistrationDate != "" && r.Date != "" && r.Date < v.FirstRegistrationDate {
		errs.Add(dateField, "is before the vehicle's first registration")
	}
	notFuture(&errs, dateField, r.Date, today)
	return errs.Err()
}

// Retire takes a vehicle in service out of service on date, which is kept: not before its first
// registration, and not in the future (the vehicle is retired now).
func (v *Vehicle) Retire(date, today Date) error {
	if v.State != InService {
		return fmt.Errorf("%s is %s; only a vehicle in service can be retired: %w", v.Name(), v.State, ErrWrongState)
	}
	var errs validation.Error
	v.checkRetireDate(&errs, "retire_date", date, today)
	if err := errs.Err(); err != nil {
		return err
	}
	v.State, v.RetireDate = Retired, date
	return nil
}

// Reserve reserves a retired vehicle for a cession proposed on date, which may not be before the
// vehicle's retirement (when its day is known).
func (v *Vehicle) Reserve(date Date, dateField string) error {
	if v.State != Retired {
		return fmt.Errorf("%s is %s; only a retired vehicle can be offered: %w", v.Name(), v.State, ErrWrongState)
	}
	if v.RetireDate != "" && date < v.RetireDate {
		return validation.Field(dateField, fmt.Sprintf("%s is before %s was retired (%s)", date, v.Name(), v.RetireDate))
	}
	v.State = Reserved
	return nil
}

// CheckHandover checks and tidies the handover of c: a real day, not before the approval nor
// after today, a place, the certificate's reference, and officials with a name and a title.
func (c *Cession) CheckHandover(h *Handover, today Date) error {
	var errs validation.Error
	h.Place, h.CertificateReference = strings.TrimSpace(h.Place), strings.TrimSpace(h.CertificateReference)
	if !h.Date.Valid() || h.Date < c.ApproveDate {
		errs.Add("handover.handover_date", "is required: a valid day, not before the approval ("+string(c.ApproveDate)+")")
	}
	notFuture(&errs, "handover.handover_date", h.Date, today)
	errs.Require("handover.place", h.Place, "is required")
	errs.Require("handover.certificate_reference", h.CertificateReference, "is required: the reference of the certificate of cession (cerfa n° 15776)")
	for i := range h.Officials {
		o := &h.Officials[i]
		o.Name, o.Title = strings.TrimSpace(o.Name), strings.TrimSpace(o.Title)
		if o.Name == "" || o.Title == "" {
			errs.Add(fmt.Sprintf("handover.officials[%d]", i), "needs a name and a title")
		}
	}
	return errs.Err()
}

// CheckDeclaration checks the day the transfer of c was declared: a real day, not before the
// handover nor after today.
func (c *Cession) CheckDeclaration(date, today Date) error {
	var errs validation.Error
	if !date.Valid() || date < c.HandoverDate() {
		errs.Add("declare_date", "is required: a valid day, not before the handover ("+string(c.HandoverDate())+")")
	}
	notFuture(&errs, "declare_date", date, today)
	return errs.Err()
}

// CheckWindow checks a window of days given as start_date and end_date: both real days, the end
// not before the start. A window that ends before it starts selects nothing by mistake, so it is
// refused rather than answered empty.
func CheckWindow(from, to Date) error {
	var errs validation.Error
	if !from.Valid() {
		errs.Add("start_date", "is required: a valid calendar date")
	}
	if !to.Valid() {
		errs.Add("end_date", "is required: a valid calendar date")
	}
	if from.Valid() && to.Valid() && to < from {
		errs.Add("end_date", fmt.Sprintf("%s is before the start date (%s)", to, from))
	}
	return errs.Err()
}

package domain

import (
	"fmt"

	"github.com/vif71/vif/platform/validation"
)

// The life of a vehicle: registered IN_SERVICE or RETIRED; Retire (IN_SERVICE -> RETIRED);
// Scrap (IN_SERVICE or RETIRED -> SCRAPPED); a cession reserves, releases or cedes it (see
// cession.go). Its odometer readings never go back.

// CheckRegistration checks a vehicle a fleet manager registers, on the day today, with its
// optional first reading, which it keeps: in service (the default) or retired, a retire date only
// when retired, and the fields of Validate.
func (v *Vehicle) CheckRegistration(reading *OdometerReading, today Date) error {
	if v.State == "" {
		v.State = InService
	}
	if v.State != InService && v.State != Retired {
		return validation.Field("initial_state", "must be IN_SERVICE or RETIRED")
	}
	if v.RetireDate != "" && v.State != Retired {
		return validation.Field("vehicle.retire_date", "is set only for a vehicle registered retired (initial_state RETIRED); retire it with :retire")
	}
	if err := v.Validate(today); err != nil {
		return err
	}
	if reading != nil {
		if err := v.CheckReading(*reading, today, "initial_reading.reading_date", "initial_reading.odometer_km"); err != nil {
			return err
		}
		v.Readings = []OdometerReading{*reading}
	}
	return nil
}

// Patch changes the fields of VehicleFields that mask names to their value in patch, then
// checks the vehicle as Validate does.
func (v *Vehicle) Patch(patch Vehicle, mask []string, today Date) error {
	for _, f := range mask {
		switch f {
		case "plate":
			v.Plate = patch.Plate
		case "make":
			v.Make = patch.Make
		case "model":
			v.Model = patch.Model
		}
	}
	return v.Validate(today)
}

// Record adds the odometer reading r of a vehicle the Caf still has (not ceded nor scrapped):
// see CheckReading.
func (v *Vehicle) Record(r OdometerReading, today Date) error {
	if v.State == Ceded || v.State == Scrapped {
		return fmt.Errorf("%s is %s: %w", v.Name(), v.State, ErrWrongState)
	}
	if err := v.CheckReading(r, today, "reading.reading_date", "reading.odometer_km"); err != nil {
		return err
	}
	v.Readings = append(v.Readings, r)
	return nil
}

// Scrap scraps a vehicle in service or retired, on date; one reserved for a cession may not be.
func (v *Vehicle) Scrap(date Date) error {
	if v.State != InService && v.State != Retired {
		return fmt.Errorf("%s is %s; only a vehicle in service or retired can be scrapped: %w", v.Name(), v.State, ErrWrongState)
	}
	if !date.Valid() {
		return validation.Field("scrap_date", "is required: a valid calendar date")
	}
	v.State = Scrapped
	return nil
}

package domain_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

const today domain.Date = "2026-03-14"

// fields returns the fields err names (nil when it is not a validation error).
func fields(err error) []string {
	var ve *validation.Error
	if !errors.As(err, &ve) {
		return nil
	}
	var out []string
	for _, v := range ve.Violations {
		out = append(out, v.Field)
	}
	return out
}

func checkFields(t *testing.T, what string, err error, want string) {
	t.Helper()
	got := fields(err)
	if want == "" {
		if err != nil {
			t.Errorf("%s = %v; want nil", what, err)
		}
		return
	}
	if !slices.Contains(got, want) {
		t.Errorf("%s = %v; want a violation of %s", what, err, want)
	}
}

func TestTodayIsTheDayInFrance(t *testing.T) {
	tests := []struct {
		now  time.Time
		want domain.Date
	}{
		{time.Date(2026, 3, 13, 23, 30, 0, 0, time.UTC), "2026-03-14"}, // 00:30 in Mâcon (CET)
		{time.Date(2026, 7, 13, 22, 30, 0, 0, time.UTC), "2026-07-14"}, // 00:30 (CEST)
		{time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC), "2026-03-14"},
		{time.Date(2026, 3, 14, 22, 59, 0, 0, time.UTC), "2026-03-14"},
	}
	for _, tt := range tests {
		if got := domain.Today(tt.now); got != tt.want {
			t.Errorf("Today(%v) = %q; want %q", tt.now, got, tt.want)
		}
	}
}

func vehicle() *domain.Vehicle {
	return &domain.Vehicle{ID: "clio", VIN: "VF1RFB00X51234567", Plate: "AB-123-CD", Make: "Renault", Model: "Clio",
		FirstRegistrationDate: "2015-03-01", State: domain.InService,
		Readings: []domain.OdometerReading{{Date: "2025-01-10", KM: 90000}}}
}

func TestVehicleValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*domain.Vehicle)
		field string
	}{
		{"a vehicle as registered", func(*domain.Vehicle) {}, ""},
		{"first registered today", func(v *domain.Vehicle) { v.FirstRegistrationDate = today }, ""},
		{"first registered tomorrow", func(v *domain.Vehicle) { v.FirstRegistrationDate = today.AddDays(1) }, "vehicle.first_registration_date"},
		{"first registered in 2030", func(v *domain.Vehicle) { v.FirstRegistrationDate = "2030-01-01" }, "vehicle.first_registration_date"},
		{"retired after its registration", func(v *domain.Vehicle) { v.RetireDate = "2025-12-01" }, ""},
		{"retired before its registration", func(v *domain.Vehicle) { v.RetireDate = "2015-02-28" }, "vehicle.retire_date"},
		{"retired tomorrow", func(v *domain.Vehicle) { v.RetireDate = today.AddDays(1) }, "vehicle.retire_date"},
		{"retired on no real day", func(v *domain.Vehicle) { v.RetireDate = "2025-02-30" }, "vehicle.retire_date"},
	}
	for _, tt := range tests {
		v := vehicle()
		tt.edit(v)
		checkFields(t, tt.name+": Validate", v.Validate(today), tt.field)
	}
}

func TestVehicleCheckReading(t *testing.T) {
	tests := []struct {
		name  string
		r     domain.OdometerReading
		field string
	}{
		{"today", domain.OdometerReading{Date: today, KM: 91000}, ""},
		{"the day of the previous reading", domain.OdometerReading{Date: "2025-01-10", KM: 90000}, ""},
		{"tomorrow", domain.OdometerReading{Date: today.AddDays(1), KM: 91000}, "reading.reading_date"},
		{"in 2030, which would lock the vehicle for four years", domain.OdometerReading{Date: "2030-06-01", KM: 91000}, "reading.reading_date"},
		{"before the previous reading", domain.OdometerReading{Date: "2025-01-09", KM: 91000}, "reading.reading_date"},
		{"lower than the previous reading", domain.OdometerReading{Date: today, KM: 89999}, "reading.odometer_km"},
		{"before the first registration", domain.OdometerReading{Date: "2015-02-01", KM: 95000}, "reading.reading_date"},
	}
	for _, tt := range tests {
		checkFields(t, tt.name+": CheckReading", vehicle().CheckReading(tt.r, today, "reading.reading_date", "reading.odometer_km"), tt.field)
	}
}

func TestVehicleRetire(t *testing.T) {
	tests := []struct {
		name  string
		date  domain.Date
		field string
	}{
		{"today", today, ""},
		{"the day of its first registration", "2015-03-01", ""},
		{"before its first registration", "2015-02-28", "retire_date"},
		{"tomorrow", today.AddDays(1), "retire_date"},
		{"no day", "", "retire_date"},
	}
	for _, tt := range tests {
		v := vehicle()
		err := v.Retire(tt.date, today)
		checkFields(t, tt.name+": Retire", err, tt.field)
		if err == nil && (v.State != domain.Retired || v.RetireDate != tt.date) {
			t.Errorf("%s: Retire left state %s, retire date %q; want RETIRED on %s", tt.name, v.State, v.RetireDate, tt.date)
		}
		if err != nil && (v.State != domain.InService || v.RetireDate != "") {
			t.Errorf("%s: a refused Retire changed the vehicle: %s, %q", tt.name, v.State, v.RetireDate)
		}
	}
	retired := vehicle()
	retired.State = domain.Retired
	if err := retired.Retire(today, today); !errors.Is(err, domain.ErrWrongState) {
		t.Errorf("Retire of a retired vehicle = %v; want ErrWrongState", err)
	}
}

func TestVehicleReserve(t *testing.T) {
	tests := []struct {
		name       string
		retireDate domain.Date
		propose    domain.Date
		field      string
	}{
		{"the day it was retired", "2026-01-10", "2026-01-10", ""},
		{"after it was retired", "2026-01-10", "2026-02-01", ""},
		{"before it was retired", "2026-01-10", "2026-01-09", "propose_date"},
		{"registered retired without a day", "", "2020-01-01", ""},
	}
	for _, tt := range tests {
		v := vehicle()
		v.State, v.RetireDate = domain.Retired, tt.retireDate
		err := v.Reserve(tt.propose, "propose_date")
		checkFields(t, tt.name+": Reserve", err, tt.field)
		if want := map[bool]domain.VehicleState{true: domain.Reserved, false: domain.Retired}[err == nil]; v.State != want {
			t.Errorf("%s: Reserve left the vehicle %s; want %s", tt.name, v.State, want)
		}
	}
	if err := vehicle().Reserve(today, "propose_date"); !errors.Is(err, domain.ErrWrongState) {
		t.Errorf("Reserve of a vehicle in service = %v; want ErrWrongState", err)
	}
}

func TestCessionCheckHandoverAndDeclaration(t *testing.T) {
	approved := &domain.Cession{ID: "c", State: domain.Approved, ProposeDate: "2026-01-12", ApproveDate: "2026-01-15"}
	handover := func(d domain.Date) *domain.Handover {
		return &domain.Handover{Date: d, Place: "Caf, Mâcon", CertificateReference: "CERFA-1", OdometerKM: 1}
	}
	for _, tt := range []struct {
		date  domain.Date
		field string
	}{
		{"2026-01-15", ""}, {today, ""},
		{"2026-01-14", "handover.handover_date"}, {today.AddDays(1), "handover.handover_date"}, {"2030-01-01", "handover.handover_date"},
	} {
		checkFields(t, "CheckHandover("+string(tt.date)+")", approved.CheckHandover(handover(tt.date), today), tt.field)
	}

	handedOver := &domain.Cession{ID: "c", State: domain.HandedOver, ApproveDate: "2026-01-15", Handover: handover("2026-01-20")}
	for _, tt := range []struct {
		date  domain.Date
		field string
	}{
		{"2026-01-20", ""}, {today, ""},
		{"2026-01-19", "declare_date"}, {today.AddDays(1), "declare_date"},
	} {
		checkFields(t, "CheckDeclaration("+string(tt.date)+")", handedOver.CheckDeclaration(tt.date, today), tt.field)
	}
}

func TestCheckWindow(t *testing.T) {
	tests := []struct {
		from, to domain.Date
		field    string
	}{
		{"2017-01-01", "2023-12-31", ""},
		{"2023-12-31", "2023-12-31", ""},
		{"2023-12-31", "2017-01-01", "end_date"},
		{"", "2017-01-01", "start_date"},
		{"2017-01-01", "", "end_date"},
	}
	for _, tt := range tests {
		checkFields(t, "CheckWindow("+string(tt.from)+", "+string(tt.to)+")", domain.CheckWindow(tt.from, tt.to), tt.field)
	}
}

func TestHeldStates(t *testing.T) {
	for _, s := range []domain.VehicleState{domain.InService, domain.Retired, domain.Reserved, domain.Ceded, domain.Scrapped} {
		if got, want := s.Held(), slices.Contains(domain.HeldStates, s); got != want {
			t.Errorf("%s.Held() = %v; HeldStates says %v", s, got, want)
		}
	}
	if domain.Ceded.Held() || domain.Scrapped.Held() || !domain.Reserved.Held() {
		t.Errorf("Held: a ceded or scrapped vehicle is no longer the Caf's; a reserved one still is")
	}
}

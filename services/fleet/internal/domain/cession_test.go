package domain_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/vif71/vif/services/fleet/internal/domain"
)

// inState returns a cession in state s and its vehicle as the life of a cession leaves them:
// proposed on 5 January, approved on the 10th, handed over on 1 February at 95,000 km.
func inState(s domain.CessionState) (*domain.Cession, *domain.Vehicle) {
	c := &domain.Cession{ID: "c-1", Vehicle: "clio", Beneficiary: "garage", BeneficiaryKind: "GARAGE_SOLIDAIRE",
		State: s, ProposeDate: "2026-01-05"}
	v := vehicle()
	v.State, v.RetireDate = domain.Reserved, "2026-01-02"
	if s != domain.Proposed && s != domain.Rejected {
		c.ApproveDate = "2026-01-10"
	}
	switch s {
	case domain.HandedOver, domain.Declared:
		c.Handover = &domain.Handover{Date: "2026-02-01", Place: "Caf, Mâcon", CertificateReference: "CERFA-1", OdometerKM: 95000}
		c.DeclarationDeadline = "2026-02-16"
		v.State, v.Readings = domain.Ceded, append(v.Readings, domain.OdometerReading{Date: "2026-02-01", KM: 95000})
	case domain.Rejected, domain.Cancelled:
		c.EndDate, c.EndReason = "2026-01-12", "no longer needed"
		v.State = domain.Retired
	}
	if s == domain.Declared {
		c.DeclareDate = "2026-02-05"
	}
	return c, v
}

// cessionActions are the steps of a cession, each with arguments valid in the state it is
// allowed from.
var cessionActions = []struct {
	name string
	do   func(c *domain.Cession, v *domain.Vehicle) error
}{
	{"Approve", func(c *domain.Cession, _ *domain.Vehicle) error { return c.Approve("2026-01-10") }},
	{"Reject", func(c *domain.Cession, v *domain.Vehicle) error { return c.Reject(v, " not a partner ", "2026-01-12") }},
	{"Cancel", func(c *domain.Cession, v *domain.Vehicle) error { return c.Cancel(v, "withdrawn", "2026-01-20") }},
	{"HandOver", func(c *domain.Cession, v *domain.Vehicle) error {
		return c.HandOver(v, domain.Handover{Date: "2026-02-01", Place: " Caf, Mâcon ", CertificateReference: "CERFA-1", OdometerKM: 95000}, today)
	}},
	{"Declare", func(c *domain.Cession, _ *domain.Vehicle) error { return c.Declare("2026-02-05", today) }},
}

// TestCessionStateMachine runs every action from every state: the allowed steps move the cession
// and its vehicle as the cession's life says; every other is ErrWrongState naming the cession and
// its state, and changes nothing.
func TestCessionStateMachine(t *testing.T) {
	type outcome struct {
		cession domain.CessionState
		vehicle domain.VehicleState
	}
	allowed := map[domain.CessionState]map[string]outcome{
		domain.Proposed: {
			"Approve": {domain.Approved, domain.Reserved},
			"Reject":  {domain.Rejected, domain.Retired},
			"Cancel":  {domain.Cancelled, domain.Retired},
		},
		domain.Approved: {
			"Cancel":   {domain.Cancelled, domain.Retired},
			"HandOver": {domain.HandedOver, domain.Ceded},
		},
		domain.HandedOver: {"Declare": {domain.Declared, domain.Ceded}},
	}
	for _, from := range domain.CessionStates {
		for _, a := range cessionActions {
			c, v := inState(from)
			before, vehicleBefore := *c, *v
			err := a.do(c, v)
			want, ok := allowed[from][a.name]
			if !ok {
				if !errors.Is(err, domain.ErrWrongState) || !strings.Contains(err.Error(), "cessions/c-1 is "+string(from)) {
					t.Errorf("%s from %s = %v; want ErrWrongState naming cessions/c-1 and its state", a.name, from, err)
				}
				if !reflect.DeepEqual(*c, before) || !reflect.DeepEqual(*v, vehicleBefore) {
					t.Errorf("%s from %s changed the cession to %+v, the vehicle to %+v; want both unchanged", a.name, from, *c, *v)
				}
				continue
			}
			if err != nil || c.State != want.cession || v.State != want.vehicle {
				t.Errorf("%s from %s = %v, cession %s, vehicle %s; want nil, %s, %s", a.name, from, err, c.State, v.State, want.cession, want.vehicle)
			}
		}
	}
}

func TestCessionStepsKeepWhatTheyRecord(t *testing.T) {
	c, _ := inState(domain.Proposed)
	if err := c.Approve("2026-01-10"); err != nil || c.ApproveDate != "2026-01-10" {
		t.Errorf("Approve = %v, approve date %q; want nil, 2026-01-10", err, c.ApproveDate)
	}
	c, v := inState(domain.Proposed)
	if err := c.Reject(v, "  not a partner ", "2026-01-12"); err != nil || c.EndDate != "2026-01-12" || c.EndReason != "not a partner" {
		t.Errorf("Reject = %v, end %q %q; want nil, 2026-01-12, the reason trimmed", err, c.EndDate, c.EndReason)
	}
	c, v = inState(domain.Approved)
	h := domain.Handover{Date: "2026-02-01", Place: " Caf, Mâcon ", CertificateReference: "CERFA-1", OdometerKM: 95000}
	if err := c.HandOver(v, h, today); err != nil || c.Handover == nil || c.Handover.Place != "Caf, Mâcon" ||
		v.OdometerKM() != 95000 || v.Readings[len(v.Readings)-1].Date != "2026-02-01" {
		t.Errorf("HandOver = %v, handover %+v, vehicle readings %v; want the handover kept, tidied, and its reading added", err, c.Handover, v.Readings)
	}
	c, _ = inState(domain.HandedOver)
	if err := c.Declare("2026-02-05", today); err != nil || c.DeclareDate != "2026-02-05" {
		t.Errorf("Declare = %v, declare date %q; want nil, 2026-02-05", err, c.DeclareDate)
	}
}

// TestDeclarationDeadline: the transfer must be declared within 15 days of the handover; the
// cession is overdue from the day after the deadline until it is declared.
func TestDeclarationDeadline(t *testing.T) {
	for _, tt := range []struct {
		handover, deadline domain.Date
	}{
		{"2026-02-01", "2026-02-16"},
		{"2026-02-20", "2026-03-07"}, // across the end of February
		{"2025-12-25", "2026-01-09"}, // across the year
	} {
		c, v := inState(domain.Approved)
		c.ProposeDate, c.ApproveDate = "2025-06-01", "2025-06-02"
		v.Readings = v.Readings[:1]
		if err := c.HandOver(v, domain.Handover{Date: tt.handover, Place: "Mâcon", CertificateReference: "CERFA-1", OdometerKM: 95000}, today); err != nil {
			t.Fatalf("HandOver(%s) = %v", tt.handover, err)
		}
		if c.DeclarationDeadline != tt.deadline {
			t.Errorf("HandOver(%s): deadline %s; want %s", tt.handover, c.DeclarationDeadline, tt.deadline)
		}
		if c.Overdue(tt.deadline) || !c.Overdue(tt.deadline.AddDays(1)) {
			t.Errorf("HandOver(%s): Overdue(%s) = %v, Overdue(the day after) = %v; want false, true",
				tt.handover, tt.deadline, c.Overdue(tt.deadline), c.Overdue(tt.deadline.AddDays(1)))
		}
		if err := c.Declare(tt.deadline.AddDays(1), tt.deadline.AddDays(1)); err != nil || c.Overdue(tt.deadline.AddDays(1)) {
			t.Errorf("Declare after the deadline = %v, overdue %v; want nil, no longer overdue", err, c.Overdue(tt.deadline.AddDays(1)))
		}
	}
}

// TestHandOverOdometerRule: the handover's reading may not go back in distance or time, and a
// refused handover changes neither the cession nor its vehicle.
func TestHandOverOdometerRule(t *testing.T) {
	for _, tt := range []struct {
		name  string
		date  domain.Date
		km    int64
		field string
	}{
		{"the same distance", "2026-02-01", 90000, ""},
		{"further", "2026-02-01", 120000, ""},
		{"fewer kilometres than the last reading", "2026-02-01", 89999, "handover.odometer_km"},
		{"negative", "2026-02-01", -1, "handover.odometer_km"},
		{"before the last reading", "2025-01-09", 95000, "handover.handover_date"},
		{"before the approval", "2026-01-09", 95000, "handover.handover_date"},
		{"in the future", today.AddDays(1), 95000, "handover.handover_date"},
	} {
		c, v := inState(domain.Approved)
		v.Readings = v.Readings[:1] // 90,000 km on 2025-01-10
		before, vehicleBefore := *c, *v
		err := c.HandOver(v, domain.Handover{Date: tt.date, Place: "Mâcon", CertificateReference: "CERFA-1", OdometerKM: tt.km}, today)
		checkFields(t, tt.name+": HandOver", err, tt.field)
		if err != nil && (!reflect.DeepEqual(*c, before) || !reflect.DeepEqual(*v, vehicleBefore)) {
			t.Errorf("%s: a refused HandOver changed the cession to %+v, the vehicle to %+v", tt.name, *c, *v)
		}
	}
}

func TestCessionDatesAndReasons(t *testing.T) {
	for _, tt := range []struct {
		name  string
		from  domain.CessionState
		do    func(c *domain.Cession, v *domain.Vehicle) error
		field string
	}{
		{"approve before the proposal", domain.Proposed, func(c *domain.Cession, _ *domain.Vehicle) error { return c.Approve("2026-01-04") }, "approve_date"},
		{"approve without a day", domain.Proposed, func(c *domain.Cession, _ *domain.Vehicle) error { return c.Approve("") }, "approve_date"},
		{"reject without a reason", domain.Proposed, func(c *domain.Cession, v *domain.Vehicle) error { return c.Reject(v, "  ", "2026-01-12") }, "reason"},
		{"reject before the proposal", domain.Proposed, func(c *domain.Cession, v *domain.Vehicle) error { return c.Reject(v, "x", "2026-01-04") }, "reject_date"},
		{"cancel without a reason", domain.Approved, func(c *domain.Cession, v *domain.Vehicle) error { return c.Cancel(v, "", "2026-01-12") }, "reason"},
		{"cancel before the proposal", domain.Approved, func(c *domain.Cession, v *domain.Vehicle) error { return c.Cancel(v, "x", "2025-12-31") }, "cancel_date"},
		{"declare before the handover", domain.HandedOver, func(c *domain.Cession, _ *domain.Vehicle) error { return c.Declare("2026-01-31", today) }, "declare_date"},
		{"declare in the future", domain.HandedOver, func(c *domain.Cession, _ *domain.Vehicle) error { return c.Declare(today.AddDays(1), today) }, "declare_date"},
	} {
		c, v := inState(tt.from)
		before, vehicleBefore := *c, *v
		checkFields(t, tt.name, tt.do(c, v), tt.field)
		if !reflect.DeepEqual(*c, before) || !reflect.DeepEqual(*v, vehicleBefore) {
			t.Errorf("%s changed the cession to %+v, the vehicle to %+v; want both unchanged", tt.name, *c, *v)
		}
	}
}

// TestProposeOneOpenCessionPerVehicle: a vehicle with an open cession may not be proposed again;
// only a retired vehicle may be, not before its retirement; it is then reserved.
func TestProposeOneOpenCessionPerVehicle(t *testing.T) {
	for _, tt := range []struct {
		name  string
		state domain.VehicleState
		open  string
		date  domain.Date
		err   error
		field string
	}{
		{"a retired vehicle", domain.Retired, "", "2026-01-05", nil, ""},
		{"a vehicle with an open cession", domain.Retired, "c-0", "2026-01-05", domain.ErrVehicleTaken, ""},
		{"a reserved vehicle with an open cession", domain.Reserved, "c-0", "2026-01-05", domain.ErrVehicleTaken, ""},
		{"a vehicle in service", domain.InService, "", "2026-01-05", domain.ErrWrongState, ""},
		{"a ceded vehicle", domain.Ceded, "", "2026-01-05", domain.ErrWrongState, ""},
		{"before its retirement", domain.Retired, "", "2026-01-01", nil, "propose_date"},
	} {
		c := &domain.Cession{ID: "c-1", Vehicle: "clio", Beneficiary: "garage"}
		v := vehicle()
		v.State, v.RetireDate = tt.state, "2026-01-02"
		vehicleBefore := *v
		err := c.Propose(v, tt.open, tt.date)
		switch {
		case tt.err != nil:
			if !errors.Is(err, tt.err) {
				t.Errorf("%s: Propose = %v; want %v", tt.name, err, tt.err)
			}
		case tt.field != "":
			checkFields(t, tt.name+": Propose", err, tt.field)
		case err != nil || c.State != domain.Proposed || c.ProposeDate != tt.date || v.State != domain.Reserved:
			t.Errorf("%s: Propose = %v, cession %s on %q, vehicle %s; want nil, PROPOSED on %s, RESERVED", tt.name, err, c.State, c.ProposeDate, v.State, tt.date)
		}
		if err != nil && !reflect.DeepEqual(*v, vehicleBefore) {
			t.Errorf("%s: a refused Propose changed the vehicle to %+v", tt.name, *v)
		}
	}
	err := (&domain.Cession{ID: "c-1"}).Propose(&domain.Vehicle{ID: "clio", State: domain.Retired}, "c-0", "2026-01-05")
	if !strings.Contains(fmtErr(err), "vehicles/clio is held by cessions/c-0") {
		t.Errorf("Propose with an open cession = %v; want it to name the vehicle and its open cession", err)
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestVehicleStateMachine runs the vehicle's own steps from every state: retire from service;
// scrap in service or retired; record a reading while the Caf has it. Every other is
// ErrWrongState and changes nothing.
func TestVehicleStateMachine(t *testing.T) {
	actions := []struct {
		name string
		do   func(v *domain.Vehicle) error
		to   map[domain.VehicleState]domain.VehicleState // allowed from → to
	}{
		{"Retire", func(v *domain.Vehicle) error { return v.Retire("2026-01-02", today) },
			map[domain.VehicleState]domain.VehicleState{domain.InService: domain.Retired}},
		{"Scrap", func(v *domain.Vehicle) error { return v.Scrap("2026-01-02") },
			map[domain.VehicleState]domain.VehicleState{domain.InService: domain.Scrapped, domain.Retired: domain.Scrapped}},
		{"Record", func(v *domain.Vehicle) error {
			return v.Record(domain.OdometerReading{Date: "2026-01-02", KM: 91000}, today)
		},
			map[domain.VehicleState]domain.VehicleState{domain.InService: domain.InService, domain.Retired: domain.Retired, domain.Reserved: domain.Reserved}},
	}
	for _, from := range []domain.VehicleState{domain.InService, domain.Retired, domain.Reserved, domain.Ceded, domain.Scrapped} {
		for _, a := range actions {
			v := vehicle()
			v.State = from
			before := *v
			err := a.do(v)
			to, ok := a.to[from]
			switch {
			case !ok && (!errors.Is(err, domain.ErrWrongState) || !reflect.DeepEqual(*v, before)):
				t.Errorf("%s from %s = %v, vehicle %+v; want ErrWrongState, unchanged", a.name, from, err, *v)
			case ok && (err != nil || v.State != to):
				t.Errorf("%s from %s = %v, state %s; want nil, %s", a.name, from, err, v.State, to)
			}
		}
	}
}

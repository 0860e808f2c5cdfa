package e2e

import (
	"context"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/vif71/vif/platform/auth"
	fleetv1 "github.com/vif71/vif/proto/gen/go/vif/fleet/v1"
)

// fleetState is everything a refused request must leave as it was: every vehicle and cession as
// a reader sees them, the fleet's outbox and its events in the stream.
type fleetState struct {
	vehicles *fleetv1.ListVehiclesResponse
	cessions *fleetv1.ListCessionsResponse
	outbox   int
	streamed uint64
}

func (r *fleetRun) state(t *testing.T) fleetState {
	t.Helper()
	reader := r.as(t, auth.RoleReader, "")
	vs, err := r.fleet.ListVehicles(reader, &fleetv1.ListVehiclesRequest{PageSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := r.fleet.ListCessions(reader, &fleetv1.ListCessionsRequest{PageSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var outbox int
	if err := r.db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM outbox`).Scan(&outbox); err != nil {
		t.Fatal(err)
	}
	return fleetState{vehicles: vs, cessions: cs, outbox: outbox, streamed: r.streamCount(t, "vif.fleet.v1.>")}
}

// streamCount is how many messages the stream holds on the subjects matching filter, once the
// fleet's outbox is empty: an event a refused request wrongly committed is then among them.
func (s *fleetSuite) streamCount(t *testing.T, filter string) uint64 {
	t.Helper()
	s.waitPublished(t)
	return s.messageCount(t, filter)
}

// badVIN is a VIN of 17 characters with c in it.
func badVIN(c string) string { return "VF1E2E" + c + "0000000009" }

func testBadInput(t *testing.T, r *fleetRun) {
	fleet := r.as(t, auth.RoleFleet, "")
	// partner's cession is approved on 2026-01-10, and its vehicle read on 2026-03-01 at 50000 km
	// while reserved: a handover must come after both.
	r.retiredVehicle(t, fleet, "e2e-partner", 4)
	c, err := r.fleet.ProposeCession(fleet, &fleetv1.ProposeCessionRequest{CessionId: "e2e-partner-plie", ProposeDate: day(2026, 1, 5),
		Cession: &fleetv1.Cession{Vehicle: partner, Beneficiary: "organisations/plie-clunisois-maconnais-tournugeois"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.fleet.ApproveCession(fleet, &fleetv1.ApproveCessionRequest{Name: partnerCession, ApproveDate: day(2026, 1, 10), Etag: c.GetEtag()}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.fleet.RecordOdometerReading(fleet, &fleetv1.RecordOdometerReadingRequest{Name: partner,
		Reading: &fleetv1.OdometerReading{ReadingDate: day(2026, 3, 1), OdometerKm: 50_000}}); err != nil {
		t.Fatalf("RecordOdometerReading of a reserved vehicle = %v; want OK", err)
	}
	retriedCession := r.cessionNames(t, fleet, &fleetv1.ListCessionsRequest{Filter: `vehicle = "` + retried + `"`})
	if len(retriedCession) != 1 {
		t.Fatalf("cessions of %s = %q; want one", retried, retriedCession)
	}
	before := r.state(t)

	register := func(change func(*fleetv1.RegisterVehicleRequest)) func() error {
		return func() error {
			req := &fleetv1.RegisterVehicleRequest{
				VehicleId:      "e2e-refused",
				Vehicle:        &fleetv1.Vehicle{Vin: vin(9), Plate: plate(9), Make: "Renault", Model: "Zoe", FirstRegistrationDate: day(2020, 1, 1)},
				InitialReading: &fleetv1.OdometerReading{ReadingDate: day(2020, 2, 1), OdometerKm: 100},
			}
			change(req)
			_, err := r.fleet.RegisterVehicle(fleet, req)
			return err
		}
	}
	read := func(on *fleetv1.OdometerReading) func() error {
		return func() error {
			_, err := r.fleet.RecordOdometerReading(fleet, &fleetv1.RecordOdometerReadingRequest{Name: partner, Reading: on})
			return err
		}
	}
	offer := func(vehicle, beneficiary string) func() error {
		return func() error {
			_, err := r.fleet.ProposeCession(fleet, &fleetv1.ProposeCessionRequest{CessionId: "e2e-refused",
				Cession: &fleetv1.Cession{Vehicle: vehicle, Beneficiary: beneficiary}})
			return err
		}
	}
	handOver := func(change func(*fleetv1.Handover)) func() error {
		return func() error {
			h := &fleetv1.Handover{HandoverDate: day(2026, 4, 1), Place: "Mâcon", OdometerKm: 50_500, CertificateReference: "CERFA-15776-X",
				Officials: []*fleetv1.Official{{DisplayName: "Cécile Aladame", Title: "directrice de la Caf de Saône-et-Loire"}}}
			change(h)
			_, err := r.fleet.HandOverCession(fleet, &fleetv1.HandOverCessionRequest{Name: partnerCession, Handover: h})
			return err
		}
	}
	for _, tc := range []struct {
		what  string
		call  func() error
		field string
	}{
		{"RegisterVehicle with an I in the VIN", register(func(r *fleetv1.RegisterVehicleRequest) { r.Vehicle.Vin = badVIN("I") }), "vehicle.vin"},
		{"RegisterVehicle with an O in the VIN", register(func(r *fleetv1.RegisterVehicleRequest) { r.Vehicle.Vin = badVIN("O") }), "vehicle.vin"},
		{"RegisterVehicle with a Q in the VIN", register(func(r *fleetv1.RegisterVehicleRequest) { r.Vehicle.Vin = badVIN("Q") }), "vehicle.vin"},
		{"RegisterVehicle with a VIN of 16 characters", register(func(r *fleetv1.RegisterVehicleRequest) { r.Vehicle.Vin = vin(9)[:16] }), "vehicle.vin"},
		{"RegisterVehicle without a VIN", register(func(r *fleetv1.RegisterVehicleRequest) { r.Vehicle.Vin = "" }), "vehicle.vin"},
		{"RegisterVehicle with a plate without dashes", register(func(r *fleetv1.RegisterVehicleRequest) { r.Vehicle.Plate = "AB123CD" }), "vehicle.plate"},
		{"RegisterVehicle with an O in a current plate", register(func(r *fleetv1.RegisterVehicleRequest) { r.Vehicle.Plate = "AO-123-CD" }), "vehicle.plate"},
		{"RegisterVehicle with an old plate of département 99", register(func(r *fleetv1.RegisterVehicleRequest) { r.Vehicle.Plate = "123 ABC 99" }), "vehicle.plate"},
		{"RegisterVehicle with a reading before the first registration", register(func(r *fleetv1.RegisterVehicleRequest) {
			r.InitialReading.ReadingDate = day(2019, 12, 31)
		}), "initial_reading.reading_date"},
		{"RegisterVehicle with a negative reading", register(func(r *fleetv1.RegisterVehicleRequest) { r.InitialReading.OdometerKm = -1 }), "initial_reading.odometer_km"},
		{"RegisterVehicle already ceded", register(func(r *fleetv1.RegisterVehicleRequest) { r.InitialState = fleetv1.VehicleState_VEHICLE_STATE_CEDED }), "initial_state"},
		{"RecordOdometerReading going back in distance", read(&fleetv1.OdometerReading{ReadingDate: day(2026, 4, 1), OdometerKm: 49_999}), "reading.odometer_km"},
		{"RecordOdometerReading going back in time", read(&fleetv1.OdometerReading{ReadingDate: day(2026, 2, 1), OdometerKm: 60_000}), "reading.reading_date"},
		{"ProposeCession to an organisation the directory does not know", offer(kangoo, "organisations/nowhere"), "cession.beneficiary"},
		{"ProposeCession to the Caf itself", offer(kangoo, "organisations/caf-71"), "cession.beneficiary"},
		{"ProposeCession to the Préfecture", offer(kangoo, "organisations/prefecture-71"), "cession.beneficiary"},
		{"ProposeCession to a police station", offer(kangoo, "organisations/police-le-creusot"), "cession.beneficiary"},
		{"ProposeCession to a beneficiary that is not a resource name", offer(kangoo, "iscg-louhannais"), "cession.beneficiary"},
		{"ProposeCession without a vehicle", offer("", "organisations/iscg-louhannais"), "cession.vehicle"},
		{"HandOverCession with the odometer going back", handOver(func(h *fleetv1.Handover) { h.OdometerKm = 45_000 }), "handover.odometer_km"},
		{"HandOverCession before the approval", handOver(func(h *fleetv1.Handover) { h.HandoverDate = day(2026, 1, 9) }), "handover.handover_date"},
		{"HandOverCession before the vehicle's last reading", handOver(func(h *fleetv1.Handover) { h.HandoverDate = day(2026, 2, 1) }), "handover.handover_date"},
		{"HandOverCession on a day 0", handOver(func(h *fleetv1.Handover) { h.HandoverDate = day(2026, 4, 0) }), "handover.handover_date"},
		{"HandOverCession without the cerfa reference", handOver(func(h *fleetv1.Handover) { h.CertificateReference = "" }), "handover.certificate_reference"},
		{"HandOverCession with a blank cerfa reference", handOver(func(h *fleetv1.Handover) { h.CertificateReference = "  " }), "handover.certificate_reference"},
		{"HandOverCession without a place", handOver(func(h *fleetv1.Handover) { h.Place = "" }), "handover.place"},
		{"HandOverCession with an official without a title", handOver(func(h *fleetv1.Handover) { h.Officials[0].Title = "" }), "handover.officials[0].title"},
		{"DeclareCession before the handover", func() error {
			_, err := r.fleet.DeclareCession(fleet, &fleetv1.DeclareCessionRequest{Name: berlingoCession, DeclareDate: day(2024, 2, 19)})
			return err
		}, "declare_date"},
		{"ApproveCession before the proposal", func() error {
			_, err := r.fleet.ApproveCession(fleet, &fleetv1.ApproveCessionRequest{Name: retriedCession[0], ApproveDate: day(2020, 1, 1)})
			return err
		}, "approve_date"},
		{"RejectCession without a reason", func() error {
			_, err := r.fleet.RejectCession(fleet, &fleetv1.RejectCessionRequest{Name: retriedCession[0], RejectDate: day(2030, 1, 1)})
			return err
		}, "reason"},
		{"CancelCession before the proposal", func() error {
			_, err := r.fleet.CancelCession(fleet, &fleetv1.CancelCessionRequest{Name: partnerCession, Reason: "x", CancelDate: day(2026, 1, 4)})
			return err
		}, "cancel_date"},
	} {
		wantCode(t, tc.what, tc.call(), codes.InvalidArgument, tc.field)
	}
	wantReason(t, "RegisterVehicle with a VIN another vehicle holds",
		register(func(r *fleetv1.RegisterVehicleRequest) { r.Vehicle.Vin = vin(1) })(), codes.AlreadyExists, "ALREADY_EXISTS")
	wantReason(t, "ProposeCession of a vehicle that does not exist",
		offer("vehicles/nowhere", "organisations/iscg-louhannais")(), codes.NotFound, "NOT_FOUND")

	after := r.state(t)
	if !proto.Equal(after.vehicles, before.vehicles) || !proto.Equal(after.cessions, before.cessions) {
		t.Errorf("vehicles and cessions changed by refused requests:\nbefore %v\n%v\nafter %v\n%v", before.vehicles, before.cessions, after.vehicles, after.cessions)
	}
	if after.outbox != before.outbox || after.streamed != before.streamed {
		t.Errorf("refused requests left events: outbox %d → %d, stream %d → %d; want no change", before.outbox, after.outbox, before.streamed, after.streamed)
	}
}

func testFleetAuth(t *testing.T, r *fleetRun) {
	anonymous := context.Background()
	_, err := r.fleet.ListCessions(anonymous, &fleetv1.ListCessionsRequest{})
	wantReason(t, "ListCessions without a token", err, codes.Unauthenticated, auth.ReasonUnauthenticated)
	_, err = r.fleet.GetVehicle(anonymous, &fleetv1.GetVehicleRequest{Name: clio})
	wantReason(t, "GetVehicle without a token", err, codes.Unauthenticated, auth.ReasonUnauthenticated)
	_, err = r.fleet.RegisterVehicle(anonymous, &fleetv1.RegisterVehicleRequest{Vehicle: &fleetv1.Vehicle{Vin: vin(10), Plate: plate(10), Make: "a", Model: "b", FirstRegistrationDate: day(2020, 1, 1)}})
	wantReason(t, "RegisterVehicle without a token", err, codes.Unauthenticated, auth.ReasonUnauthenticated)

	reader := r.as(t, auth.RoleReader, "")
	garage := r.as(t, auth.RoleBeneficiary, "garage-solidaire-bourgogne")
	before := r.state(t)
	for _, who := range []struct {
		name string
		ctx  context.Context
	}{{"a reader", reader}, {"a beneficiary", garage}} {
		_, err = r.fleet.RegisterVehicle(who.ctx, &fleetv1.RegisterVehicleRequest{Vehicle: &fleetv1.Vehicle{Vin: vin(10), Plate: plate(10), Make: "a", Model: "b", FirstRegistrationDate: day(2020, 1, 1)}})
		wantReason(t, "RegisterVehicle as "+who.name, err, codes.PermissionDenied, auth.ReasonRoleNotAllowed)
		_, err = r.fleet.ProposeCession(who.ctx, &fleetv1.ProposeCessionRequest{Cession: &fleetv1.Cession{Vehicle: kangoo, Beneficiary: "organisations/garage-solidaire-bourgogne"}})
		wantReason(t, "ProposeCession as "+who.name, err, codes.PermissionDenied, auth.ReasonRoleNotAllowed)
		_, err = r.fleet.HandOverCession(who.ctx, &fleetv1.HandOverCessionRequest{Name: partnerCession, Handover: clioHandover()})
		wantReason(t, "HandOverCession as "+who.name, err, codes.PermissionDenied, auth.ReasonRoleNotAllowed)
		_, err = r.fleet.DeclareCession(who.ctx, &fleetv1.DeclareCessionRequest{Name: berlingoCession, DeclareDate: day(2024, 3, 1)})
		wantReason(t, "DeclareCession as "+who.name, err, codes.PermissionDenied, auth.ReasonRoleNotAllowed)
	}
	if after := r.state(t); !proto.Equal(after.vehicles, before.vehicles) || !proto.Equal(after.cessions, before.cessions) || after.outbox != before.outbox {
		t.Errorf("denied writes changed something: outbox %d → %d", before.outbox, after.outbox)
	}

	// A beneficiary's staff see their organisation's cessions, and nothing of the others', not
	// even whether one exists.
	own := []string{"cessions/caf71-2019-06", "cessions/caf71-2023-13", clioCession}
	if got := r.cessionNames(t, garage, &fleetv1.ListCessionsRequest{}); !slices.Equal(got, own) {
		t.Errorf("ListCessions as the garage solidaire = %q; want its own %q", got, own)
	}
	if got := r.cessionNames(t, garage, &fleetv1.ListCessionsRequest{Filter: `beneficiary_kind = "ISCG"`}); len(got) != 0 {
		t.Errorf("ListCessions(ISCG) as the garage solidaire = %q; want none", got)
	}
	_, err = r.fleet.ListCessions(garage, &fleetv1.ListCessionsRequest{Filter: `beneficiary = "organisations/iscg-louhannais"`})
	wantReason(t, "ListCessions of another beneficiary as the garage solidaire", err, codes.PermissionDenied, "OUTSIDE_SCOPE")
	if c, err := r.fleet.GetCession(garage, &fleetv1.GetCessionRequest{Name: clioCession}); err != nil || !proto.Equal(c, r.cession(t, clioCession)) {
		t.Errorf("GetCession(%s) as its beneficiary = %v, %v; want the cession as its managers see it", clioCession, c, err)
	}
	_, err = r.fleet.GetCession(garage, &fleetv1.GetCessionRequest{Name: "cessions/caf71-2024-iscg-louhannais"})
	wantReason(t, "GetCession of another beneficiary's cession", err, codes.PermissionDenied, "OUTSIDE_SCOPE")
	_, err = r.fleet.GetCession(garage, &fleetv1.GetCessionRequest{Name: "cessions/no-such-cession"})
	wantReason(t, "GetCession of a missing cession as a beneficiary", err, codes.PermissionDenied, "OUTSIDE_SCOPE")
	iscg := r.as(t, auth.RoleBeneficiary, "iscg-louhannais")
	if got, want := r.cessionNames(t, iscg, &fleetv1.ListCessionsRequest{}), []string{"cessions/caf71-2024-iscg-louhannais"}; !slices.Equal(got, want) {
		t.Errorf("ListCessions as the ISCG of Louhannais = %q; want %q", got, want)
	}

	// A reader sees every cession as the managers do. Officials are kept by name and title only:
	// the API has no other field for them, so there is nothing more a reader could be shown.
	var fields []string
	desc := (&fleetv1.Official{}).ProtoReflect().Descriptor().Fields()
	for i := range desc.Len() {
		fields = append(fields, string(desc.Get(i).Name()))
	}
	if want := []string{"display_name", "title"}; !slices.Equal(fields, want) {
		t.Errorf("fields of vif.fleet.v1.Official = %q; want only %q", fields, want)
	}
	seen, err := r.fleet.GetCession(reader, &fleetv1.GetCessionRequest{Name: clioCession})
	if err != nil {
		t.Fatalf("GetCession(%s) as a reader = %v; want OK", clioCession, err)
	}
	if !proto.Equal(seen, r.cession(t, clioCession)) || !proto.Equal(seen.GetHandover(), clioHandover()) {
		t.Errorf("GetCession(%s) as a reader = %v; want the handover as sent, officials by name and title: %v", clioCession, seen, clioHandover())
	}

	admin := r.as(t, auth.RoleAdmin, "")
	if _, err := r.fleet.RegisterVehicle(admin, &fleetv1.RegisterVehicleRequest{VehicleId: "e2e-by-admin",
		Vehicle: &fleetv1.Vehicle{Vin: vin(8), Plate: "123 ABC 71", Make: "Citroën", Model: "C3", FirstRegistrationDate: day(2022, 2, 1)}}); err != nil {
		t.Errorf("RegisterVehicle as an admin, with a plate of the older format = %v; want OK", err)
	}
}

func testFleetQueries(t *testing.T, r *fleetRun) {
	fleet := r.as(t, auth.RoleFleet, "")
	today := dayOf(time.Now().UTC())
	// Handed over today, without officials: due in 15 days, so not overdue.
	handed, err := r.fleet.HandOverCession(fleet, &fleetv1.HandOverCessionRequest{Name: partnerCession, Handover: &fleetv1.Handover{
		HandoverDate: today, Place: "PLIE, Mâcon", OdometerKm: 50_500, CertificateReference: "CERFA-15776-TODAY",
	}})
	if err != nil {
		t.Fatalf("HandOverCession(%s) today = %v; want OK", partnerCession, err)
	}
	if want := isoDay(dayOf(time.Date(int(today.Year), time.Month(today.Month), int(today.Day)+15, 0, 0, 0, 0, time.UTC))); isoDay(handed.GetDeclarationDeadline()) != want {
		t.Errorf("declaration deadline of a handover today = %s; want %s", isoDay(handed.GetDeclarationDeadline()), want)
	}
	retriedCession := r.cessionNames(t, fleet, &fleetv1.ListCessionsRequest{Filter: `vehicle = "` + retried + `"`})

	for _, tc := range []struct {
		req  *fleetv1.ListCessionsRequest
		want []string
	}{
		{&fleetv1.ListCessionsRequest{Filter: `overdue = "true"`}, []string{berlingoCession}},
		{&fleetv1.ListCessionsRequest{Filter: `state = "CESSION_STATE_HANDED_OVER"`}, []string{berlingoCession, partnerCession}},
		{&fleetv1.ListCessionsRequest{Filter: `state = "CESSION_STATE_PROPOSED"`}, retriedCession},
		{&fleetv1.ListCessionsRequest{Filter: `state = "CESSION_STATE_APPROVED"`}, nil},
		{&fleetv1.ListCessionsRequest{Filter: `state = "CESSION_STATE_REJECTED"`}, []string{kangooRejected}},
		{&fleetv1.ListCessionsRequest{Filter: `state = "CESSION_STATE_CANCELLED"`}, []string{kangooCancelled}},
		{&fleetv1.ListCessionsRequest{Filter: `beneficiary = "organisations/plie-clunisois-maconnais-tournugeois"`},
			[]string{"cessions/caf71-2017-01", partnerCession}},
		{&fleetv1.ListCessionsRequest{Filter: `beneficiary_kind = "GARAGE_SOLIDAIRE" AND state = "CESSION_STATE_DECLARED"`},
			[]string{"cessions/caf71-2019-06", "cessions/caf71-2023-13", clioCession}},
		{&fleetv1.ListCessionsRequest{Filter: `beneficiary_kind = "CENTRE_SOCIAL"`, StartDate: day(2024, 1, 1), EndDate: day(2024, 12, 31)},
			[]string{berlingoCession}},
		{&fleetv1.ListCessionsRequest{StartDate: today, EndDate: today}, []string{partnerCession}},
	} {
		if got := r.cessionNames(t, fleet, tc.req); !slices.Equal(got, tc.want) {
			t.Errorf("ListCessions(filter %q, %s..%s) = %q; want %q", tc.req.GetFilter(),
				isoDay(tc.req.GetStartDate()), isoDay(tc.req.GetEndDate()), got, tc.want)
		}
	}
	if total, kinds := r.count(t, day(2024, 1, 1), day(2024, 12, 31)); total != 4 || !slices.Equal(kinds, []string{"ISCG=3", "CENTRE_SOCIAL=1"}) {
		t.Errorf("CountCessions(2024) = %d %q; want 4 [ISCG=3 CENTRE_SOCIAL=1]", total, kinds)
	}
	if total, kinds := r.count(t, today, today); total != 1 || !slices.Equal(kinds, []string{"PLIE=1"}) {
		t.Errorf("CountCessions(today) = %d %q; want 1 [PLIE=1]", total, kinds)
	}

	for state, want := range map[string][]string{
		"VEHICLE_STATE_RETIRED":  {kangoo},
		"VEHICLE_STATE_RESERVED": {retried},
		"VEHICLE_STATE_SCRAPPED": {inService},
	} {
		vs, err := r.fleet.ListVehicles(fleet, &fleetv1.ListVehiclesRequest{Filter: `state = "` + state + `"`})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range vs.GetVehicles() {
			got = append(got, v.GetName())
		}
		if !slices.Equal(got, want) {
			t.Errorf("ListVehicles(%s) = %q; want %q", state, got, want)
		}
	}
	ceded, err := r.fleet.ListVehicles(fleet, &fleetv1.ListVehiclesRequest{Filter: `state = "VEHICLE_STATE_CEDED"`})
	if err != nil || ceded.GetTotalSize() != seededCessions+3 {
		t.Errorf("ListVehicles(CEDED) total = %d (%v); want the %d seeded and clio, berlingo, partner", ceded.GetTotalSize(), err, seededCessions)
	}
}

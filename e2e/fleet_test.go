package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/grpcserver/grpctest"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
	fleetv1 "github.com/vif71/vif/proto/gen/go/vif/fleet/v1"
)

// The resources the scenario creates, each named once: later steps and the events step refer to
// them.
const (
	// clio goes the whole way: registered, updated, read, retired, proposed, approved, handed
	// over and declared.
	clio        = "vehicles/e2e-clio"
	clioCession = "cessions/e2e-clio-garage"
	// kangoo is offered twice: the first proposal is rejected, the second approved then cancelled.
	kangoo          = "vehicles/e2e-kangoo"
	kangooRejected  = "cessions/e2e-kangoo-mission"
	kangooCancelled = "cessions/e2e-kangoo-foyer"
	// berlingo is handed over in 2024 and never declared: it is overdue.
	berlingo        = "vehicles/e2e-berlingo"
	berlingoCession = "cessions/e2e-berlingo-centre"
	// partner is handed over today: not overdue.
	partner        = "vehicles/e2e-partner"
	partnerCession = "cessions/e2e-partner-plie"
	// inService is never retired, so it cannot be offered; it is scrapped in the end.
	inService = "vehicles/e2e-in-service"
	// retried is registered and offered with requests sent twice.
	retried = "vehicles/e2e-retried"
)

// fleetRun is one run of the scenario: the suite and the fleet's own database, whose outbox the
// events steps compare with the stream.
type fleetRun struct {
	*fleetSuite
	db *storage.DB
}

// TestFleet runs the directory and the fleet service together in-process (see startFleetSuite)
// on each database engine, and walks through what the fleet's users rely on: the article's
// seeded cessions and their counts, the whole life of a cession, its refusals, idempotent
// creates, bad input, who may see and do what, the queries, and an event for every change. The
// steps build on each other, in order.
func TestFleet(t *testing.T) {
	directoryDBs := storagetest.Databases(t)
	for i, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			r := &fleetRun{fleetSuite: startFleetSuite(t, directoryDBs[i].DB, d.DB), db: d.DB}
			r.waitForSeed(t)
			steps := []struct {
				name string
				run  func(*testing.T, *fleetRun)
			}{
				{"the article's cessions are listed and counted", testSeededCessions},
				{"a cession from proposal to declaration", testCessionWorkflow},
				{"a cession is rejected or cancelled before its handover", testRejectAndCancel},
				{"wrong states and stale etags are FailedPrecondition", testWrongStatesAndStaleEtags},
				{"a retried create makes one resource", testRetriedCreates},
				{"bad input is InvalidArgument naming the field and changes nothing", testBadInput},
				{"authentication, roles and beneficiary scope", testFleetAuth},
				{"queries by state, beneficiary, kind and period; overdue declarations", testFleetQueries},
				{"an event on JetStream for every change", testFleetEvents},
			}
			for _, step := range steps {
				if !t.Run(step.name, func(t *testing.T) { step.run(t, r) }) {
					t.Fatalf("stopping after %q: the later steps build on it", step.name)
				}
			}
		})
	}
}

// wantReason fails t unless err is a status with code and the ErrorInfo reason.
func wantReason(t *testing.T, what string, err error, code codes.Code, reason string) {
	t.Helper()
	if got := status.Code(err); got != code || grpctest.Reason(err) != reason {
		t.Errorf("%s = %v (reason %q); want %v with reason %q", what, err, grpctest.Reason(err), code, reason)
	}
}

// cessionNames pages through ListCessions (pages of three, so that paging is exercised by every
// query) and returns the names, failing t unless each page reports the same total and the total
// is the number of names.
func (s *fleetSuite) cessionNames(t *testing.T, ctx context.Context, req *fleetv1.ListCessionsRequest) []string {
	t.Helper()
	req = proto.CloneOf(req)
	req.PageSize = 3
	var names []string
	for range 100 {
		resp, err := s.fleet.ListCessions(ctx, req)
		if err != nil {
			t.Fatalf("ListCessions(%v) = %v", req, err)
		}
		for _, c := range resp.GetCessions() {
			names = append(names, c.GetName())
		}
		if resp.GetNextPageToken() == "" {
			if int(resp.GetTotalSize()) != len(names) {
				t.Errorf("ListCessions(%v): total_size %d; the pages hold %d", req, resp.GetTotalSize(), len(names))
			}
			return names
		}
		req.PageToken = resp.GetNextPageToken()
	}
	t.Fatalf("ListCessions(%v) still has pages after 100", req)
	return nil
}

// cession reads a cession as a fleet manager.
func (s *fleetSuite) cession(t *testing.T, name string) *fleetv1.Cession {
	t.Helper()
	c, err := s.fleet.GetCession(s.as(t, auth.RoleFleet, ""), &fleetv1.GetCessionRequest{Name: name})
	if err != nil {
		t.Fatalf("GetCession(%s) = %v", name, err)
	}
	return c
}

// count returns CountCessions over a window, as total and kind → count in the order given.
func (s *fleetSuite) count(t *testing.T, from, to *date.Date) (int32, []string) {
	t.Helper()
	resp, err := s.fleet.CountCessions(s.as(t, auth.RoleReader, ""), &fleetv1.CountCessionsRequest{StartDate: from, EndDate: to})
	if err != nil {
		t.Fatalf("CountCessions(%s, %s) = %v", isoDay(from), isoDay(to), err)
	}
	var kinds []string
	for _, k := range resp.GetByBeneficiaryKind() {
		kinds = append(kinds, fmt.Sprintf("%s=%d", k.GetBeneficiaryKind(), k.GetCount()))
	}
	return resp.GetTotal(), kinds
}

func testSeededCessions(t *testing.T, r *fleetRun) {
	reader := r.as(t, auth.RoleReader, "")
	all := r.cessionNames(t, reader, &fleetv1.ListCessionsRequest{})
	if len(all) != seededCessions {
		t.Fatalf("ListCessions() = %d cessions; want the article's %d", len(all), seededCessions)
	}
	iscg := []string{"cessions/caf71-2024-iscg-charolais-brionnais", "cessions/caf71-2024-iscg-creusot-autun", "cessions/caf71-2024-iscg-louhannais"}
	for _, tc := range []struct {
		req  *fleetv1.ListCessionsRequest
		want []string
	}{
		{&fleetv1.ListCessionsRequest{Filter: `state = "CESSION_STATE_DECLARED"`}, all},
		{&fleetv1.ListCessionsRequest{Filter: `state = "CESSION_STATE_HANDED_OVER"`}, nil},
		{&fleetv1.ListCessionsRequest{Filter: `beneficiary_kind = "ISCG"`}, iscg},
		{&fleetv1.ListCessionsRequest{Filter: `beneficiary = "organisations/garage-solidaire-bourgogne"`},
			[]string{"cessions/caf71-2019-06", "cessions/caf71-2023-13"}},
		{&fleetv1.ListCessionsRequest{StartDate: day(2024, 1, 1), EndDate: day(2024, 12, 31)}, iscg},
		{&fleetv1.ListCessionsRequest{Filter: `beneficiary_kind = "REGIE"`, StartDate: day(2022, 1, 1), EndDate: day(2022, 12, 31)},
			[]string{"cessions/caf71-2022-12"}},
		// Both bounds are inclusive: the three ISCG were handed over on 2024-03-08.
		{&fleetv1.ListCessionsRequest{StartDate: day(2024, 3, 8), EndDate: day(2024, 3, 8)}, iscg},
		{&fleetv1.ListCessionsRequest{StartDate: day(2024, 3, 9), EndDate: day(2024, 12, 31)}, nil},
	} {
		if got := r.cessionNames(t, reader, tc.req); !slices.Equal(got, tc.want) {
			t.Errorf("ListCessions(filter %q, %s..%s) = %q; want %q", tc.req.GetFilter(),
				isoDay(tc.req.GetStartDate()), isoDay(tc.req.GetEndDate()), got, tc.want)
		}
	}
	if got := r.cessionNames(t, reader, &fleetv1.ListCessionsRequest{StartDate: day(2017, 1, 1), EndDate: day(2023, 12, 31)}); len(got) != 14 {
		t.Errorf("ListCessions(2017..2023) = %d cessions; want the 14 of the seven years", len(got))
	}

	for _, tc := range []struct {
		from, to  *date.Date
		total     int32
		wantKinds []string
	}{
		// Largest first, then by kind.
		{day(2017, 1, 1), day(2023, 12, 31), 14, []string{"MISSION_LOCALE=4", "REGIE=4", "GARAGE_SOLIDAIRE=2",
			"ASSOCIATION=1", "CENTRE_SOCIAL=1", "FOYER_RURAL=1", "PLIE=1"}},
		{day(2024, 1, 1), day(2024, 12, 31), 3, []string{"ISCG=3"}},
		{day(2017, 1, 1), day(2024, 12, 31), 17, []string{"MISSION_LOCALE=4", "REGIE=4", "ISCG=3", "GARAGE_SOLIDAIRE=2",
			"ASSOCIATION=1", "CENTRE_SOCIAL=1", "FOYER_RURAL=1", "PLIE=1"}},
		{day(2016, 1, 1), day(2016, 12, 31), 0, nil},
	} {
		total, kinds := r.count(t, tc.from, tc.to)
		if total != tc.total || !slices.Equal(kinds, tc.wantKinds) {
			t.Errorf("CountCessions(%s, %s) = %d %q; want %d %q", isoDay(tc.from), isoDay(tc.to), total, kinds, tc.total, tc.wantKinds)
		}
	}

	// The handover to the ISCG of Louhannais, at the Préfecture, before the officials the
	// article names.
	c := r.cession(t, "cessions/caf71-2024-iscg-louhannais")
	h := c.GetHandover()
	if c.GetState() != fleetv1.CessionState_CESSION_STATE_DECLARED || c.GetBeneficiary() != "organisations/iscg-louhannais" ||
		c.GetBeneficiaryKind() != "ISCG" || !c.GetIllustrative() || isoDay(h.GetHandoverDate()) != "2024-03-08" ||
		h.GetPlace() != "Préfecture de Saône-et-Loire, Mâcon" || isoDay(c.GetDeclarationDeadline()) != "2024-03-23" ||
		isoDay(c.GetDeclareDate()) != "2024-03-13" || h.GetCertificateReference() == "" {
		t.Errorf("GetCession(caf71-2024-iscg-louhannais) = %v; want the ISCG's DECLARED cession handed over on 2024-03-08 at the Préfecture, due 2024-03-23", c)
	}
	var officials []string
	for _, o := range h.GetOfficials() {
		officials = append(officials, o.GetDisplayName())
	}
	if want := []string{"Louise Thin-Rouzaud", "Cécile Aladame", "Nathalie Bonnot"}; !slices.Equal(officials, want) {
		t.Errorf("officials at the ISCG handover = %q; want %q", officials, want)
	}

	for _, tc := range []struct {
		what  string
		call  func() error
		field string
	}{
		{"ListCessions by a kind that may not receive vehicles", func() error {
			_, err := r.fleet.ListCessions(reader, &fleetv1.ListCessionsRequest{Filter: `beneficiary_kind = "CAF"`})
			return err
		}, "filter"},
		{"ListCessions with a window without its end", func() error {
			_, err := r.fleet.ListCessions(reader, &fleetv1.ListCessionsRequest{StartDate: day(2024, 1, 1)})
			return err
		}, "end_date"},
		{"CountCessions with the end before the start", func() error {
			_, err := r.fleet.CountCessions(reader, &fleetv1.CountCessionsRequest{StartDate: day(2024, 1, 1), EndDate: day(2023, 12, 31)})
			return err
		}, "end_date"},
	} {
		wantCode(t, tc.what, tc.call(), codes.InvalidArgument, tc.field)
	}
}

// clioHandover is the handover of clioCession, as the fleet manager sends it.
func clioHandover() *fleetv1.Handover {
	return &fleetv1.Handover{
		HandoverDate: day(2025, 2, 20),
		Place:        "Caf de Saône-et-Loire, Mâcon",
		Officials: []*fleetv1.Official{
			{DisplayName: "Cécile Aladame", Title: "directrice de la Caf de Saône-et-Loire"},
			{DisplayName: "Nathalie Bonnot", Title: "déléguée départementale aux droits des femmes et à l'égalité"},
		},
		OdometerKm:           61_250,
		CertificateReference: "CERFA-15776-2025-0042",
	}
}

func testCessionWorkflow(t *testing.T, r *fleetRun) {
	fleet := r.as(t, auth.RoleFleet, "")
	v, err := r.fleet.RegisterVehicle(fleet, &fleetv1.RegisterVehicleRequest{
		VehicleId:      "e2e-clio",
		Vehicle:        &fleetv1.Vehicle{Vin: vin(1), Plate: plate(1), Make: "Renault", Model: "Clio", FirstRegistrationDate: day(2016, 5, 1)},
		InitialReading: &fleetv1.OdometerReading{ReadingDate: day(2018, 1, 1), OdometerKm: 40_000},
	})
	if err != nil {
		t.Fatalf("RegisterVehicle(e2e-clio) = %v; want OK", err)
	}
	if v.GetName() != clio || v.GetState() != fleetv1.VehicleState_VEHICLE_STATE_IN_SERVICE || v.GetOdometerKm() != 40_000 ||
		v.GetVin() != vin(1) || v.GetEtag() == "" || v.GetIllustrative() {
		t.Errorf("RegisterVehicle(e2e-clio) = %v; want %s IN_SERVICE at 40000 km with an etag", v, clio)
	}
	v, err = r.fleet.UpdateVehicle(fleet, &fleetv1.UpdateVehicleRequest{
		Vehicle:    &fleetv1.Vehicle{Name: clio, Model: "Clio IV", Etag: v.GetEtag()},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"model"}},
	})
	if err != nil || v.GetModel() != "Clio IV" || v.GetMake() != "Renault" || v.GetPlate() != plate(1) {
		t.Fatalf("UpdateVehicle(model) = %v, %v; want the model changed and the rest kept", v, err)
	}
	v, err = r.fleet.RecordOdometerReading(fleet, &fleetv1.RecordOdometerReadingRequest{
		Name: clio, Reading: &fleetv1.OdometerReading{ReadingDate: day(2023, 6, 1), OdometerKm: 55_000}, Etag: v.GetEtag(),
	})
	if err != nil || v.GetOdometerKm() != 55_000 || len(v.GetOdometerReadings()) != 2 {
		t.Fatalf("RecordOdometerReading(55000) = %v, %v; want 55000 km, two readings", v, err)
	}
	v, err = r.fleet.RetireVehicle(fleet, &fleetv1.RetireVehicleRequest{Name: clio, RetireDate: day(2024, 1, 15), Etag: v.GetEtag()})
	if err != nil || v.GetState() != fleetv1.VehicleState_VEHICLE_STATE_RETIRED {
		t.Fatalf("RetireVehicle(%s) = %v, %v; want RETIRED", clio, v, err)
	}

	c, err := r.fleet.ProposeCession(fleet, &fleetv1.ProposeCessionRequest{
		CessionId:   "e2e-clio-garage",
		Cession:     &fleetv1.Cession{Vehicle: clio, Beneficiary: "organisations/garage-solidaire-bourgogne", Note: "Pour l'atelier mobilité"},
		ProposeDate: day(2025, 2, 3),
	})
	if err != nil {
		t.Fatalf("ProposeCession(%s) = %v; want OK", clioCession, err)
	}
	if c.GetName() != clioCession || c.GetState() != fleetv1.CessionState_CESSION_STATE_PROPOSED || c.GetVehicle() != clio ||
		c.GetBeneficiaryKind() != "GARAGE_SOLIDAIRE" || isoDay(c.GetProposeDate()) != "2025-02-03" || c.GetNote() != "Pour l'atelier mobilité" {
		t.Errorf("ProposeCession = %v; want %s PROPOSED on 2025-02-03 to a GARAGE_SOLIDAIRE", c, clioCession)
	}
	if st := r.vehicleState(t, clio); st != fleetv1.VehicleState_VEHICLE_STATE_RESERVED {
		t.Errorf("%s after the proposal is %v; want RESERVED", clio, st)
	}
	c, err = r.fleet.ApproveCession(fleet, &fleetv1.ApproveCessionRequest{Name: clioCession, ApproveDate: day(2025, 2, 10), Etag: c.GetEtag()})
	if err != nil || c.GetState() != fleetv1.CessionState_CESSION_STATE_APPROVED || isoDay(c.GetApproveDate()) != "2025-02-10" {
		t.Fatalf("ApproveCession = %v, %v; want APPROVED on 2025-02-10", c, err)
	}
	c, err = r.fleet.HandOverCession(fleet, &fleetv1.HandOverCessionRequest{Name: clioCession, Handover: clioHandover(), Etag: c.GetEtag()})
	if err != nil {
		t.Fatalf("HandOverCession = %v; want OK", err)
	}
	// 2025 is not a leap year: 20 February + 15 days is 7 March.
	if c.GetState() != fleetv1.CessionState_CESSION_STATE_HANDED_OVER || !proto.Equal(c.GetHandover(), clioHandover()) ||
		isoDay(c.GetDeclarationDeadline()) != "2025-03-07" {
		t.Errorf("HandOverCession = %v; want HANDED_OVER with the handover as sent and the declaration due 2025-03-07", c)
	}
	v, err = r.fleet.GetVehicle(fleet, &fleetv1.GetVehicleRequest{Name: clio})
	if err != nil {
		t.Fatal(err)
	}
	last := v.GetOdometerReadings()[len(v.GetOdometerReadings())-1]
	if v.GetState() != fleetv1.VehicleState_VEHICLE_STATE_CEDED || v.GetOdometerKm() != 61_250 || len(v.GetOdometerReadings()) != 3 ||
		isoDay(last.GetReadingDate()) != "2025-02-20" {
		t.Errorf("%s after the handover = %v; want CEDED with the handover's reading of 61250 km on 2025-02-20", clio, v)
	}
	// Handed over in February 2025 and not declared: overdue today.
	overdue := &fleetv1.ListCessionsRequest{Filter: `overdue = "true"`}
	if got := r.cessionNames(t, fleet, overdue); !slices.Equal(got, []string{clioCession}) {
		t.Errorf("overdue cessions before the declaration = %q; want [%s]", got, clioCession)
	}

	c, err = r.fleet.DeclareCession(fleet, &fleetv1.DeclareCessionRequest{Name: clioCession, DeclareDate: day(2025, 3, 1), Etag: c.GetEtag()})
	if err != nil || c.GetState() != fleetv1.CessionState_CESSION_STATE_DECLARED || isoDay(c.GetDeclareDate()) != "2025-03-01" {
		t.Fatalf("DeclareCession = %v, %v; want DECLARED on 2025-03-01", c, err)
	}
	if !proto.Equal(r.cession(t, clioCession), c) {
		t.Errorf("GetCession(%s) = %v; want what DeclareCession returned, %v", clioCession, r.cession(t, clioCession), c)
	}
	if got := r.cessionNames(t, fleet, overdue); len(got) != 0 {
		t.Errorf("overdue cessions after the declaration = %q; want none", got)
	}
	if total, kinds := r.count(t, day(2025, 1, 1), day(2025, 12, 31)); total != 1 || !slices.Equal(kinds, []string{"GARAGE_SOLIDAIRE=1"}) {
		t.Errorf("CountCessions(2025) = %d %q; want 1 [GARAGE_SOLIDAIRE=1]", total, kinds)
	}
}

func testRejectAndCancel(t *testing.T, r *fleetRun) {
	fleet := r.as(t, auth.RoleFleet, "")
	r.retiredVehicle(t, fleet, "e2e-kangoo", 2)
	propose := func(id, beneficiary string, on *date.Date) *fleetv1.Cession {
		t.Helper()
		c, err := r.fleet.ProposeCession(fleet, &fleetv1.ProposeCessionRequest{
			CessionId: id, Cession: &fleetv1.Cession{Vehicle: kangoo, Beneficiary: beneficiary}, ProposeDate: on,
		})
		if err != nil {
			t.Fatalf("ProposeCession(%s) = %v; want OK", id, err)
		}
		return c
	}

	c := propose("e2e-kangoo-mission", "organisations/mission-locale-charolais", day(2025, 4, 1))
	c, err := r.fleet.RejectCession(fleet, &fleetv1.RejectCessionRequest{
		Name: kangooRejected, Reason: "Le véhicule ne convient pas", RejectDate: day(2025, 4, 3), Etag: c.GetEtag(),
	})
	if err != nil || c.GetState() != fleetv1.CessionState_CESSION_STATE_REJECTED || isoDay(c.GetEndDate()) != "2025-04-03" ||
		c.GetEndReason() != "Le véhicule ne convient pas" || c.GetHandover() != nil {
		t.Fatalf("RejectCession = %v, %v; want REJECTED on 2025-04-03 with its reason", c, err)
	}
	if st := r.vehicleState(t, kangoo); st != fleetv1.VehicleState_VEHICLE_STATE_RETIRED {
		t.Errorf("%s after the rejection is %v; want RETIRED again, free to offer", kangoo, st)
	}

	c = propose("e2e-kangoo-foyer", "organisations/foyer-rural-autunois-morvan", day(2025, 4, 10))
	c, err = r.fleet.ApproveCession(fleet, &fleetv1.ApproveCessionRequest{Name: kangooCancelled, ApproveDate: day(2025, 4, 12), Etag: c.GetEtag()})
	if err != nil {
		t.Fatalf("ApproveCession(%s) = %v; want OK", kangooCancelled, err)
	}
	c, err = r.fleet.CancelCession(fleet, &fleetv1.CancelCessionRequest{
		Name: kangooCancelled, Reason: "Le foyer a trouvé un autre véhicule", CancelDate: day(2025, 4, 20), Etag: c.GetEtag(),
	})
	if err != nil || c.GetState() != fleetv1.CessionState_CESSION_STATE_CANCELLED || isoDay(c.GetEndDate()) != "2025-04-20" ||
		c.GetEndReason() != "Le foyer a trouvé un autre véhicule" || isoDay(c.GetApproveDate()) != "2025-04-12" {
		t.Fatalf("CancelCession of an approved cession = %v, %v; want CANCELLED on 2025-04-20, the approval kept", c, err)
	}
	if st := r.vehicleState(t, kangoo); st != fleetv1.VehicleState_VEHICLE_STATE_RETIRED {
		t.Errorf("%s after the cancellation is %v; want RETIRED again", kangoo, st)
	}
	got := r.cessionNames(t, fleet, &fleetv1.ListCessionsRequest{Filter: `vehicle = "` + kangoo + `"`})
	if want := []string{kangooCancelled, kangooRejected}; !slices.Equal(got, want) {
		t.Errorf("cessions of %s = %q; want %q", kangoo, got, want)
	}
}

func testWrongStatesAndStaleEtags(t *testing.T, r *fleetRun) {
	fleet := r.as(t, auth.RoleFleet, "")
	wrongState := func(what string, err error) {
		t.Helper()
		wantReason(t, what, err, codes.FailedPrecondition, "WRONG_STATE")
	}
	staleEtag := func(what string, err error) {
		t.Helper()
		wantReason(t, what, err, codes.FailedPrecondition, "ETAG_MISMATCH")
	}

	// A vehicle still in service cannot be offered.
	registered, err := r.fleet.RegisterVehicle(fleet, &fleetv1.RegisterVehicleRequest{VehicleId: "e2e-in-service", Vehicle: &fleetv1.Vehicle{
		Vin: vin(5), Plate: plate(5), Make: "Peugeot", Model: "208", FirstRegistrationDate: day(2021, 9, 1),
	}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.fleet.ProposeCession(fleet, &fleetv1.ProposeCessionRequest{CessionId: "e2e-in-service-plie",
		Cession: &fleetv1.Cession{Vehicle: inService, Beneficiary: "organisations/plie-clunisois-maconnais-tournugeois"}})
	wrongState("ProposeCession of a vehicle in service", err)
	_, err = r.fleet.RetireVehicle(fleet, &fleetv1.RetireVehicleRequest{Name: kangoo, RetireDate: day(2025, 5, 1)})
	wrongState("RetireVehicle of a retired vehicle", err)
	_, err = r.fleet.UpdateVehicle(fleet, &fleetv1.UpdateVehicleRequest{
		Vehicle:    &fleetv1.Vehicle{Name: inService, Model: "208 GT", Etag: `"0123456789abcdef"`},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"model"}},
	})
	staleEtag("UpdateVehicle with a stale etag", err)
	if v, err := r.fleet.GetVehicle(fleet, &fleetv1.GetVehicleRequest{Name: inService}); err != nil || !proto.Equal(v, registered) {
		t.Errorf("%s after the refusals = %v, %v; want it unchanged: %v", inService, v, err, registered)
	}
	if got := r.cessionNames(t, fleet, &fleetv1.ListCessionsRequest{Filter: `vehicle = "` + inService + `"`}); len(got) != 0 {
		t.Errorf("cessions of %s = %q; want none", inService, got)
	}
	if _, err := r.fleet.ScrapVehicle(fleet, &fleetv1.ScrapVehicleRequest{Name: inService, ScrapDate: day(2025, 6, 1), Etag: registered.GetEtag()}); err != nil {
		t.Errorf("ScrapVehicle(%s) = %v; want OK", inService, err)
	}
	_, err = r.fleet.ScrapVehicle(fleet, &fleetv1.ScrapVehicleRequest{Name: clio, ScrapDate: day(2025, 6, 1)})
	wrongState("ScrapVehicle of a ceded vehicle", err)

	// berlingo: a second offer while the first is open, then every step out of turn.
	r.retiredVehicle(t, fleet, "e2e-berlingo", 3)
	proposed, err := r.fleet.ProposeCession(fleet, &fleetv1.ProposeCessionRequest{CessionId: "e2e-berlingo-centre",
		Cession: &fleetv1.Cession{Vehicle: berlingo, Beneficiary: "organisations/centre-culturel-social-cuiseaux"}, ProposeDate: day(2024, 1, 20)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.fleet.ProposeCession(fleet, &fleetv1.ProposeCessionRequest{CessionId: "e2e-berlingo-other",
		Cession: &fleetv1.Cession{Vehicle: berlingo, Beneficiary: "organisations/plie-clunisois-maconnais-tournugeois"}, ProposeDate: day(2024, 1, 21)})
	wantReason(t, "a second ProposeCession for a vehicle with an open cession", err, codes.FailedPrecondition, "VEHICLE_HAS_OPEN_CESSION")
	berlingoHandover := &fleetv1.Handover{HandoverDate: day(2024, 2, 20), Place: "Centre social de Cuiseaux", OdometerKm: 52_000,
		CertificateReference: "CERFA-15776-2024-0007", Officials: []*fleetv1.Official{{DisplayName: "Cécile Aladame", Title: "directrice de la Caf de Saône-et-Loire"}}}
	_, err = r.fleet.HandOverCession(fleet, &fleetv1.HandOverCessionRequest{Name: berlingoCession, Handover: berlingoHandover})
	wrongState("HandOverCession of a proposed cession", err)
	_, err = r.fleet.DeclareCession(fleet, &fleetv1.DeclareCessionRequest{Name: berlingoCession, DeclareDate: day(2024, 3, 1)})
	wrongState("DeclareCession of a proposed cession", err)
	if got := r.cession(t, berlingoCession); !proto.Equal(got, proposed) {
		t.Errorf("%s after the refusals = %v; want it unchanged: %v", berlingoCession, got, proposed)
	}

	approved, err := r.fleet.ApproveCession(fleet, &fleetv1.ApproveCessionRequest{Name: berlingoCession, ApproveDate: day(2024, 1, 25), Etag: proposed.GetEtag()})
	if err != nil {
		t.Fatal(err)
	}
	if approved.GetEtag() == proposed.GetEtag() {
		t.Fatalf("ApproveCession kept the etag %s; want a new one", approved.GetEtag())
	}
	_, err = r.fleet.RejectCession(fleet, &fleetv1.RejectCessionRequest{Name: berlingoCession, Reason: "trop tard", RejectDate: day(2024, 1, 26), Etag: proposed.GetEtag()})
	staleEtag("RejectCession with the etag the approval made stale", err)
	_, err = r.fleet.HandOverCession(fleet, &fleetv1.HandOverCessionRequest{Name: berlingoCession, Handover: berlingoHandover, Etag: proposed.GetEtag()})
	staleEtag("HandOverCession with the etag the approval made stale", err)
	_, err = r.fleet.RejectCession(fleet, &fleetv1.RejectCessionRequest{Name: berlingoCession, Reason: "trop tard", RejectDate: day(2024, 1, 26), Etag: approved.GetEtag()})
	wrongState("RejectCession of an approved cession", err)
	_, err = r.fleet.ApproveCession(fleet, &fleetv1.ApproveCessionRequest{Name: berlingoCession, ApproveDate: day(2024, 1, 26)})
	wrongState("ApproveCession of an approved cession", err)
	if got := r.cession(t, berlingoCession); !proto.Equal(got, approved) {
		t.Errorf("%s after the refusals = %v; want it unchanged: %v", berlingoCession, got, approved)
	}

	handed, err := r.fleet.HandOverCession(fleet, &fleetv1.HandOverCessionRequest{Name: berlingoCession, Handover: berlingoHandover, Etag: approved.GetEtag()})
	if err != nil {
		t.Fatalf("HandOverCession(%s) = %v; want OK", berlingoCession, err)
	}
	// 2024 is a leap year: 20 February + 15 days is 6 March.
	if isoDay(handed.GetDeclarationDeadline()) != "2024-03-06" {
		t.Errorf("declaration deadline of a handover on 2024-02-20 = %s; want 2024-03-06", isoDay(handed.GetDeclarationDeadline()))
	}
	_, err = r.fleet.CancelCession(fleet, &fleetv1.CancelCessionRequest{Name: berlingoCession, Reason: "trop tard", CancelDate: day(2024, 2, 21)})
	wrongState("CancelCession of a handed-over cession", err)
	_, err = r.fleet.ApproveCession(fleet, &fleetv1.ApproveCessionRequest{Name: berlingoCession, ApproveDate: day(2024, 2, 21)})
	wrongState("ApproveCession of a handed-over cession", err)
	_, err = r.fleet.CancelCession(fleet, &fleetv1.CancelCessionRequest{Name: clioCession, Reason: "trop tard", CancelDate: day(2025, 3, 2)})
	wrongState("CancelCession of a declared cession", err)
	_, err = r.fleet.DeclareCession(fleet, &fleetv1.DeclareCessionRequest{Name: clioCession, DeclareDate: day(2025, 3, 2)})
	wrongState("DeclareCession of a declared cession", err)
	_, err = r.fleet.ApproveCession(fleet, &fleetv1.ApproveCessionRequest{Name: kangooRejected, ApproveDate: day(2025, 4, 4)})
	wrongState("ApproveCession of a rejected cession", err)
	_, err = r.fleet.CancelCession(fleet, &fleetv1.CancelCessionRequest{Name: kangooCancelled, Reason: "encore", CancelDate: day(2025, 4, 21)})
	wrongState("CancelCession of a cancelled cession", err)
	if got := r.cession(t, berlingoCession); !proto.Equal(got, handed) {
		t.Errorf("%s after the refusals = %v; want it unchanged: %v", berlingoCession, got, handed)
	}
	_, err = r.fleet.ApproveCession(fleet, &fleetv1.ApproveCessionRequest{Name: "cessions/nowhere", ApproveDate: day(2025, 1, 1)})
	wantReason(t, "ApproveCession of a missing cession", err, codes.NotFound, "NOT_FOUND")
}

func testRetriedCreates(t *testing.T, r *fleetRun) {
	fleet := r.as(t, auth.RoleFleet, "")
	register := &fleetv1.RegisterVehicleRequest{
		VehicleId: "e2e-retried", InitialState: fleetv1.VehicleState_VEHICLE_STATE_RETIRED, RequestId: "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e",
		Vehicle: &fleetv1.Vehicle{Vin: vin(6), Plate: plate(6), Make: "Dacia", Model: "Sandero", FirstRegistrationDate: day(2019, 4, 1)},
	}
	first, err := r.fleet.RegisterVehicle(fleet, register)
	if err != nil {
		t.Fatalf("RegisterVehicle(e2e-retried) = %v; want OK", err)
	}
	again, err := r.fleet.RegisterVehicle(fleet, register)
	if err != nil || !proto.Equal(again, first) {
		t.Errorf("RegisterVehicle retried with its request id = %v, %v; want the first answer %v", again, err, first)
	}
	vs, err := r.fleet.ListVehicles(fleet, &fleetv1.ListVehiclesRequest{Filter: `vin = "` + vin(6) + `"`})
	if err != nil || vs.GetTotalSize() != 1 {
		t.Errorf("ListVehicles(vin %s) = %v, %v; want one vehicle", vin(6), vs, err)
	}

	// No cession id: the service names the cession, and the retry must find that one rather
	// than make a second (which the open-cession rule would refuse anyway, with another error).
	propose := &fleetv1.ProposeCessionRequest{
		RequestId: "0c9b8a7f-6e5d-4c3b-9a1f-0e9d8c7b6a50",
		Cession:   &fleetv1.Cession{Vehicle: retried, Beneficiary: "organisations/mission-locale-gueugnon"},
	}
	// The service's "today" is the day in France (Europe/Paris), whatever the host's zone.
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	before := isoDay(dayOf(time.Now().In(paris)))
	c1, err := r.fleet.ProposeCession(fleet, propose)
	if err != nil {
		t.Fatalf("ProposeCession(%s) = %v; want OK", retried, err)
	}
	c2, err := r.fleet.ProposeCession(fleet, propose)
	if err != nil || !proto.Equal(c2, c1) {
		t.Errorf("ProposeCession retried with its request id = %v, %v; want the first answer %v", c2, err, c1)
	}
	// Without a date the proposal is dated today.
	if got, after := isoDay(c1.GetProposeDate()), isoDay(dayOf(time.Now().In(paris))); got < before || got > after {
		t.Errorf("ProposeCession without a date is dated %s; want today (%s..%s)", got, before, after)
	}
	if got := r.cessionNames(t, fleet, &fleetv1.ListCessionsRequest{Filter: `vehicle = "` + retried + `"`}); !slices.Equal(got, []string{c1.GetName()}) {
		t.Errorf("cessions of %s = %q; want the one %s", retried, got, c1.GetName())
	}
}

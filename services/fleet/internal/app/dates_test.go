package app_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
	"github.com/vif71/vif/platform/validation"
	fleetv1 "github.com/vif71/vif/proto/gen/go/vif/fleet/v1"
	"github.com/vif71/vif/services/fleet/internal/adapters/grpcapi"
	"github.com/vif71/vif/services/fleet/internal/adapters/store"
	"github.com/vif71/vif/services/fleet/internal/app"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

// now is the fixed clock of these tests: 14 March 2026 in the morning in Mâcon.
var now = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// directory stands in for the directory service (another process): organisation id → kind.
type directory map[string]string

func (d directory) OrganisationKind(_ context.Context, org string) (string, error) {
	if k, ok := d[org]; ok {
		return k, nil
	}
	return "", domain.ErrNotFound
}

// harness is the fleet's use cases on a real SQLite store, with the fixed clock.
type harness struct {
	svc *app.Service
	db  *storage.DB
	t   *testing.T
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	db := storagetest.SQLite(t)
	st, err := store.Open(context.Background(), db, grpcapi.EncodeEvent, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	ids := func() string { n++; return fmt.Sprintf("id%d", n) }
	svc := app.New(st, directory{"garage": "GARAGE_SOLIDAIRE"}, func() time.Time { return now }, ids)
	return &harness{svc: svc, db: db, t: t}
}

func clio(id, plate string) domain.Vehicle {
	return domain.Vehicle{ID: id, VIN: "VF1RFB00X5" + id[len(id)-1:] + "234567", Plate: plate, Make: "Renault", Model: "Clio",
		FirstRegistrationDate: "2015-03-01"}
}

func (h *harness) register(v domain.Vehicle) *domain.Vehicle {
	h.t.Helper()
	got, err := h.svc.RegisterVehicle(context.Background(), v, nil)
	if err != nil {
		h.t.Fatalf("RegisterVehicle(%s) = %v", v.ID, err)
	}
	return got
}

// wantField fails unless err is a validation error naming field.
func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	var ve *validation.Error
	if !errors.As(err, &ve) || !slices.ContainsFunc(ve.Violations, func(v validation.Violation) bool { return v.Field == field }) {
		t.Errorf("%s = %v; want InvalidArgument naming %s", what, err, field)
	}
}

func TestNothingRecordedInTheFuture(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)

	future := clio("clio-1", "AB-123-CD")
	future.FirstRegistrationDate = "2026-03-15"
	_, err := h.svc.RegisterVehicle(ctx, future, nil)
	wantField(t, "RegisterVehicle(first registration tomorrow)", err, "vehicle.first_registration_date")

	h.register(clio("clio-1", "AB-123-CD"))
	_, err = h.svc.RecordOdometer(ctx, "clio-1", domain.OdometerReading{Date: "2030-01-10", KM: 50000}, "")
	wantField(t, "RecordOdometer(2030)", err, "reading.reading_date")
	// The refused reading did not lock the vehicle: today's is accepted.
	if _, err := h.svc.RecordOdometer(ctx, "clio-1", domain.OdometerReading{Date: "2026-03-14", KM: 50000}, ""); err != nil {
		t.Fatalf("RecordOdometer(today) = %v", err)
	}
	_, err = h.svc.RegisterVehicle(ctx, clio("clio-2", "AB-124-CD"), &domain.OdometerReading{Date: "2026-04-01", KM: 10})
	wantField(t, "RegisterVehicle(initial reading next month)", err, "initial_reading.reading_date")

	_, err = h.svc.RetireVehicle(ctx, "clio-1", "2026-03-15", "")
	wantField(t, "RetireVehicle(tomorrow)", err, "retire_date")
	if _, err := h.svc.RetireVehicle(ctx, "clio-1", "2026-03-01", ""); err != nil {
		t.Fatalf("RetireVehicle = %v", err)
	}
	c, err := h.svc.ProposeCession(ctx, domain.Cession{ID: "c-1", Vehicle: "clio-1", Beneficiary: "garage"}, "2026-03-02")
	if err != nil {
		t.Fatalf("ProposeCession = %v", err)
	}
	if _, err := h.svc.ApproveCession(ctx, c.ID, "2026-03-03", ""); err != nil {
		t.Fatalf("ApproveCession = %v", err)
	}
	handover := func(d domain.Date) domain.Handover {
		return domain.Handover{Date: d, Place: "Caf, Mâcon", OdometerKM: 50100, CertificateReference: "CERFA-15776-1"}
	}
	_, err = h.svc.HandOverCession(ctx, c.ID, handover("2026-03-20"), "")
	wantField(t, "HandOverCession(next week)", err, "handover.handover_date")
	if _, err := h.svc.HandOverCession(ctx, c.ID, handover("2026-03-14"), ""); err != nil {
		t.Fatalf("HandOverCession = %v", err)
	}
	_, err = h.svc.DeclareCession(ctx, c.ID, "2026-03-15", "")
	wantField(t, "DeclareCession(tomorrow)", err, "declare_date")
	if _, err := h.svc.DeclareCession(ctx, c.ID, "2026-03-14", ""); err != nil {
		t.Fatalf("DeclareCession(today) = %v", err)
	}
}

func TestRetireDateIsKeptAndBoundsTheProposal(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	h.register(clio("clio-1", "AB-123-CD"))

	_, err := h.svc.RetireVehicle(ctx, "clio-1", "2015-02-28", "")
	wantField(t, "RetireVehicle(before the first registration)", err, "retire_date")
	retired, err := h.svc.RetireVehicle(ctx, "clio-1", "2026-01-10", "")
	if err != nil || retired.RetireDate != "2026-01-10" {
		t.Fatalf("RetireVehicle = %+v, %v; want retire date 2026-01-10", retired, err)
	}
	if got, err := h.svc.GetVehicle(ctx, "clio-1"); err != nil || got.RetireDate != "2026-01-10" {
		t.Errorf("GetVehicle().RetireDate = %q, %v; want 2026-01-10", got.RetireDate, err)
	}
	// The vehicle.retired event carries it.
	var payload []byte
	if err := h.db.QueryRowContext(ctx, `SELECT payload FROM outbox WHERE subject = $1`, "vif.fleet.v1.vehicle.retired").Scan(&payload); err != nil {
		t.Fatal(err)
	}
	var ev fleetv1.VehicleChanged
	if err := proto.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	if d := ev.GetVehicle().GetRetireDate(); d.GetYear() != 2026 || d.GetMonth() != 1 || d.GetDay() != 10 {
		t.Errorf("vehicle.retired's vehicle.retire_date = %v; want 2026-01-10", d)
	}

	_, err = h.svc.ProposeCession(ctx, domain.Cession{ID: "c-1", Vehicle: "clio-1", Beneficiary: "garage"}, "2026-01-09")
	wantField(t, "ProposeCession(the day before the retirement)", err, "propose_date")
	if _, err := h.svc.ProposeCession(ctx, domain.Cession{ID: "c-1", Vehicle: "clio-1", Beneficiary: "garage"}, "2026-01-10"); err != nil {
		t.Errorf("ProposeCession(the day of the retirement) = %v", err)
	}

	// Registered retired: the day may be given, and only then.
	old := clio("clio-2", "AB-124-CD")
	old.RetireDate = "2025-12-01"
	_, err = h.svc.RegisterVehicle(ctx, old, nil)
	wantField(t, "RegisterVehicle(in service, with a retire date)", err, "vehicle.retire_date")
	old.State = domain.Retired
	if got := h.register(old); got.RetireDate != "2025-12-01" {
		t.Errorf("RegisterVehicle(retired on 2025-12-01).RetireDate = %q", got.RetireDate)
	}
}

func TestPlateUniqueAmongVehiclesTheCafHolds(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	h.register(clio("clio-1", "AB-123-CD"))
	_, err := h.svc.RegisterVehicle(ctx, clio("clio-2", "AB-123-CD"), nil)
	if !errors.Is(err, domain.ErrPlateInUse) {
		t.Errorf("RegisterVehicle(a plate clio-1 carries) = %v; want ErrPlateInUse", err)
	}
	h.register(clio("clio-3", "AB-999-CD"))
	_, err = h.svc.UpdateVehicle(ctx, "clio-3", domain.Vehicle{Plate: "AB-123-CD"}, []string{"plate"}, "")
	if !errors.Is(err, domain.ErrPlateInUse) {
		t.Errorf("UpdateVehicle(plate of clio-1) = %v; want ErrPlateInUse", err)
	}
	if _, err := h.svc.ScrapVehicle(ctx, "clio-1", "2026-03-01", ""); err != nil {
		t.Fatal(err)
	}
	h.register(clio("clio-2", "AB-123-CD"))
}

func TestReversedWindowIsRefused(t *testing.T) {
	h := newHarness(t)
	q := domain.CessionQuery{HandedOverFrom: "2023-12-31", HandedOverTo: "2017-01-01"}
	_, err := h.svc.ListCessions(context.Background(), domain.Actor{}, q, false)
	wantField(t, "ListCessions(reversed window)", err, "end_date")
	_, _, err = h.svc.CountCessions(context.Background(), "2023-12-31", "2017-01-01")
	wantField(t, "CountCessions(reversed window)", err, "end_date")
	q = domain.CessionQuery{HandedOverFrom: "2017-01-01"}
	_, err = h.svc.ListCessions(context.Background(), domain.Actor{}, q, false)
	wantField(t, "ListCessions(no end)", err, "end_date")
}

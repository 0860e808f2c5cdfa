package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
	"github.com/vif71/vif/services/fleet/internal/adapters/store"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

// TestUpgradeKeepsVehiclesAndCessions writes a vehicle and a cession (every field set) into a
// database migrated as it was before the request_id columns went (migration 00003 rebuilds both
// tables), opens the store on it and reads them back unchanged; the cession's foreign key still
// refuses a cession of a missing vehicle, and the held plate index still refuses a second vehicle
// with the plate.
func TestUpgradeKeepsVehiclesAndCessions(t *testing.T) {
	for _, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			ctx := context.Background()
			storagetest.MigrateUpTo(t, d.DB, os.DirFS("migrations"), "goose_fleet", 2)
			f := &fixture{db: d.DB}
			v, c := f.vehicle("v-1", domain.InService), everyCessionField(f.cession("c-1", "v-1", "plie-71", "PLIE"))
			v.RetireDate = "2025-11-30"
			insertV2(t, d.DB, v, c)
			repo, err := store.Open(ctx, d.DB, encodeEvent, nil)
			if err != nil {
				t.Fatalf("store.Open on a version 2 database: %v", err)
			}
			if got, err := repo.GetVehicle(ctx, "v-1"); err != nil || !sameVehicle(got, v) {
				t.Errorf("GetVehicle(%q) after the upgrade = %+v, %v; want %+v", "v-1", got, err, v)
			}
			if got, err := repo.GetCession(ctx, "c-1"); err != nil || !sameCession(got, c) {
				t.Errorf("GetCession(%q) after the upgrade = %+v, %v; want %+v", "c-1", got, err, c)
			}
			orphan := *c
			orphan.ID, orphan.Vehicle = "c-2", "nowhere"
			if err := insertCession(ctx, d.DB, &orphan); err == nil {
				t.Errorf("inserting a cession of a missing vehicle after the upgrade succeeded; want a foreign key violation")
			}
			twin := f.vehicle("v-2", domain.InService)
			twin.Plate = v.Plate
			if _, _, err := repo.RegisterVehicle(ctx, twin, []*domain.Event{f.vehicleEvent(domain.VehicleRegistered, twin, "")}); !errors.Is(err, domain.ErrPlateInUse) {
				t.Errorf("RegisterVehicle with the plate of a held vehicle after the upgrade = %v; want ErrPlateInUse", err)
			}
		})
	}
}

// TestDowngradeKeepsVehiclesAndCessions migrates a store's database down to version 2 (the
// request_id columns back) and up again, and finds what was created before still there.
func TestDowngradeKeepsVehiclesAndCessions(t *testing.T) {
	for _, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, d.DB)
			v := f.vehicle("v-1", domain.Retired)
			f.register(t, v)
			c := f.cession("c-1", "v-1", "plie-71", "PLIE")
			f.propose(t, c)
			reserved, err := f.repo.GetVehicle(ctx, "v-1") // as the proposal left it
			if err != nil {
				t.Fatal(err)
			}
			storagetest.MigrateDownTo(t, d.DB, os.DirFS("migrations"), "goose_fleet", 2)
			if n := f.count(t, "cessions", "request_id IS NULL"); n != 1 {
				t.Errorf("cessions without a request_id at version 2: %d; want 1", n)
			}
			repo, err := store.Open(ctx, d.DB, encodeEvent, nil)
			if err != nil {
				t.Fatalf("store.Open after the downgrade: %v", err)
			}
			if got, err := repo.GetVehicle(ctx, "v-1"); err != nil || !sameVehicle(got, reserved) {
				t.Errorf("GetVehicle(%q) after down and up = %+v, %v; want %+v", "v-1", got, err, reserved)
			}
			if got, err := repo.GetCession(ctx, "c-1"); err != nil || !sameCession(got, c) {
				t.Errorf("GetCession(%q) after down and up = %+v, %v; want %+v", "c-1", got, err, c)
			}
		})
	}
}

// everyCessionField gives c a value in every field the store keeps.
func everyCessionField(c *domain.Cession) *domain.Cession {
	c.State, c.ApproveDate = domain.Declared, "2026-01-09"
	c.Handover = &domain.Handover{
		Date: "2026-01-20", Place: "Mâcon, parvis de la Caf", OdometerKM: 142900, CertificateReference: "15776*03-c-1",
		Officials: []domain.Official{{Name: "Claire Martin", Title: "Directrice de la Caf"}, {Name: "Jeanne Roux", Title: "Maire"}},
	}
	c.DeclarationDeadline, c.DeclareDate = "2026-02-04", "2026-01-28"
	c.EndDate, c.EndReason = "2026-01-30", "relevé tardif"
	c.Revision = 4
	return c
}

// insertV2 writes v and c as the store wrote them at version 2.
func insertV2(t *testing.T, db *storage.DB, v *domain.Vehicle, c *domain.Cession) {
	t.Helper()
	ctx := context.Background()
	readings := make([]map[string]any, len(v.Readings))
	for i, r := range v.Readings {
		readings[i] = map[string]any{"date": r.Date, "km": r.KM}
	}
	_, err := db.ExecContext(ctx, `INSERT INTO vehicles (id, vin, plate, make, model, first_registration_date, state,
		readings, illustrative, revision, create_time, update_time, retire_date)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		v.ID, v.VIN, v.Plate, v.Make, v.Model, string(v.FirstRegistrationDate), string(v.State), jsonText(t, readings),
		v.Illustrative, v.Revision, storage.Stored(v.CreateTime), storage.Stored(v.UpdateTime), string(v.RetireDate))
	if err != nil {
		t.Fatalf("insert vehicle at version 2: %v", err)
	}
	if err := insertCession(ctx, db, c); err != nil {
		t.Fatalf("insert cession at version 2: %v", err)
	}
}

// insertCession writes c, handed over, with the columns the store writes.
func insertCession(ctx context.Context, db *storage.DB, c *domain.Cession) error {
	h := c.Handover
	officials := make([]map[string]string, len(h.Officials))
	for i, o := range h.Officials {
		officials[i] = map[string]string{"name": o.Name, "title": o.Title}
	}
	encoded, err := json.Marshal(officials)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `INSERT INTO cessions (id, vehicle, beneficiary, beneficiary_kind, state, note,
		propose_date, approve_date, handover_date, handover_place, handover_officials, handover_odometer_km,
		handover_certificate, declaration_deadline, declare_date, end_date, end_reason, illustrative, revision,
		create_time, update_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
		c.ID, c.Vehicle, c.Beneficiary, c.BeneficiaryKind, string(c.State), c.Note, string(c.ProposeDate), string(c.ApproveDate),
		string(h.Date), h.Place, string(encoded), h.OdometerKM, h.CertificateReference, string(c.DeclarationDeadline),
		string(c.DeclareDate), string(c.EndDate), c.EndReason, c.Illustrative, c.Revision,
		storage.Stored(c.CreateTime), storage.Stored(c.UpdateTime))
	return err
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

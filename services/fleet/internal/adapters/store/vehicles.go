package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

const vehicleColumns = `id, vin, plate, make, model, first_registration_date, state, readings, illustrative,
	revision, create_time, update_time, retire_date`

var vehicleFilters = map[string]storage.FilterColumn{
	"state": {Column: "state"},
	"make":  {Column: "make"},
	"vin":   {Column: "vin"},
	"plate": {Column: "plate"},
}

// A vehicle's odometer readings are a JSON array in its readings column, oldest first:
// [{"date": "2024-05-02", "km": 48210}, ...]. They are always read and written with the vehicle,
// never queried on their own, and a vehicle has a few a year: one row keeps every write of a
// vehicle a single statement and every read (lists included) a single query. The shape below,
// not the domain's Go field names, is the stored format.
type readingJSON struct {
	Date string `json:"date"`
	KM   int64  `json:"km"`
}

func encodeReadings(rs []domain.OdometerReading) (string, error) {
	out := make([]readingJSON, len(rs))
	for i, r := range rs {
		out[i] = readingJSON{Date: string(r.Date), KM: r.KM}
	}
	return storage.EncodeList(out)
}

func decodeReadings(s string) ([]domain.OdometerReading, error) {
	rs, err := storage.DecodeList[readingJSON](s, "vehicles.readings")
	if err != nil {
		return nil, err
	}
	var out []domain.OdometerReading
	for _, r := range rs {
		out = append(out, domain.OdometerReading{Date: domain.Date(r.Date), KM: r.KM})
	}
	return out, nil
}

func scanVehicle(row storage.Scanner) (*domain.Vehicle, error) {
	var v domain.Vehicle
	var firstRegistration, state, readings, retired string
	err := row.Scan(&v.ID, &v.VIN, &v.Plate, &v.Make, &v.Model, &firstRegistration, &state, &readings,
		&v.Illustrative, &v.Revision, &v.CreateTime, &v.UpdateTime, &retired)
	if err != nil {
		return nil, err
	}
	v.FirstRegistrationDate, v.State = domain.Date(firstRegistration), domain.VehicleState(state)
	v.RetireDate = domain.Date(retired)
	if v.Readings, err = decodeReadings(readings); err != nil {
		return nil, err
	}
	v.CreateTime, v.UpdateTime = v.CreateTime.UTC(), v.UpdateTime.UTC()
	return &v, nil
}

func getVehicle(ctx context.Context, q storage.Querier, id, suffix string) (*domain.Vehicle, error) {
	return storage.GetByID(ctx, q, "vehicles", vehicleColumns, id, suffix, scanVehicle)
}

func vehicleName(id string) string { return (&domain.Vehicle{ID: id}).Name() }

// vinTaken is the error of a VIN another vehicle holds.
func vinTaken(vin string) error {
	return fmt.Errorf("VIN %s is registered already: %w", vin, domain.ErrAlreadyExists)
}

// plateTaken is the error of a plate another vehicle the Caf holds carries (the index
// vehicles_held_plate). It does not wrap the database's error, so that a create does not take it
// for a clash of ids.
func plateTaken(plate string) error {
	return fmt.Errorf("plate %s: %w", plate, domain.ErrPlateInUse)
}

func insertVehicle(ctx context.Context, tx *sql.Tx, v *domain.Vehicle) error {
	readings, err := encodeReadings(v.Readings)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO vehicles (`+vehicleColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		v.ID, v.VIN, v.Plate, v.Make, v.Model, string(v.FirstRegistrationDate), string(v.State), readings,
		v.Illustrative, v.Revision, v.CreateTime, v.UpdateTime, string(v.RetireDate))
	if heldPlateKey.ViolatedBy(err) {
		return plateTaken(v.Plate)
	}
	return err
}

// updateVehicle writes every field of v but its id and creation time, which never change.
func updateVehicle(ctx context.Context, tx *sql.Tx, v *domain.Vehicle) error {
	readings, err := encodeReadings(v.Readings)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE vehicles SET vin = $2, plate = $3, make = $4, model = $5,
		first_registration_date = $6, state = $7, readings = $8, illustrative = $9, revision = $10, update_time = $11,
		retire_date = $12
		WHERE id = $1`,
		v.ID, v.VIN, v.Plate, v.Make, v.Model, string(v.FirstRegistrationDate), string(v.State), readings,
		v.Illustrative, v.Revision, v.UpdateTime, string(v.RetireDate))
	if vinKey.ViolatedBy(err) {
		return vinTaken(v.VIN)
	}
	if heldPlateKey.ViolatedBy(err) {
		return plateTaken(v.Plate)
	}
	return err
}

// changeVehicle runs change on v, read in this transaction, and writes v back: the id and
// creation time stay as read, the update time is kept as stored.
func changeVehicle(ctx context.Context, tx *sql.Tx, v *domain.Vehicle, change func() ([]*domain.Event, error)) ([]*domain.Event, error) {
	id, created := v.ID, v.CreateTime
	events, err := change()
	if err != nil {
		return nil, err
	}
	if err := outbox.RequireEvents(events); err != nil {
		return nil, err
	}
	v.ID, v.CreateTime, v.UpdateTime = id, created, storage.Stored(v.UpdateTime)
	if err := updateVehicle(ctx, tx, v); err != nil {
		return nil, err
	}
	return events, nil
}

// RegisterVehicle implements domain.Repository. The idempotency key in ctx is claimed in the same
// transaction (idempotency.Claim): a replay returns the vehicle registered then and writes
// nothing; events must describe the registration (at least one).
func (s *Store) RegisterVehicle(ctx context.Context, v *domain.Vehicle, events []*domain.Event) (*domain.Vehicle, bool, error) {
	if err := outbox.RequireEvents(events); err != nil {
		return nil, false, err
	}
	var existing *domain.Vehicle
	err := s.Write(ctx, func(tx *sql.Tx) ([]*domain.Event, error) {
		prev, err := idempotency.Claim(ctx, tx, v.Name())
		if err != nil {
			return nil, err
		}
		if prev != "" {
			existing, err = getVehicle(ctx, tx, strings.TrimPrefix(prev, "vehicles/"), "")
			return nil, err
		}
		v.CreateTime, v.UpdateTime = storage.Stored(v.CreateTime), storage.Stored(v.UpdateTime)
		if err := insertVehicle(ctx, tx, v); err != nil {
			return nil, err
		}
		return events, nil
	})
	if storage.IsUniqueViolation(err) {
		if vinKey.ViolatedBy(err) {
			return nil, false, vinTaken(v.VIN)
		}
		return nil, false, domain.ErrAlreadyExists
	}
	if err != nil {
		return nil, false, err
	}
	if existing != nil {
		return existing, false, nil
	}
	return v, true, nil
}

// GetVehicle implements domain.Repository.
func (s *Store) GetVehicle(ctx context.Context, id string) (*domain.Vehicle, error) {
	return getVehicle(ctx, s.DB, id, "")
}

// ListVehicles implements domain.Repository: filters state, make, vin and plate; ordered and
// resumed by id.
func (s *Store) ListVehicles(ctx context.Context, q domain.Query) ([]*domain.Vehicle, int, error) {
	return storage.ReadPageByID(ctx, s.DB, "vehicles", vehicleColumns, q.Filters, vehicleFilters, q.After, q.Limit, scanVehicle)
}

// UpdateVehicle implements domain.Repository. A VIN another vehicle holds gives
// ErrAlreadyExists, naming the VIN.
func (s *Store) UpdateVehicle(ctx context.Context, id string, update func(*domain.Vehicle) ([]*domain.Event, error)) (*domain.Vehicle, error) {
	var updated *domain.Vehicle
	err := s.Write(ctx, func(tx *sql.Tx) ([]*domain.Event, error) {
		v, err := getVehicle(ctx, tx, id, s.ForNoKeyUpdate())
		if err != nil {
			return nil, err
		}
		events, err := changeVehicle(ctx, tx, v, func() ([]*domain.Event, error) { return update(v) })
		if err != nil {
			return nil, err
		}
		updated = v
		return events, nil
	})
	if err != nil {
		return nil, err
	}
	return updated, nil
}

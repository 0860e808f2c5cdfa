package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

// RegisterVehicle adds a vehicle of the Caf's fleet, in service or already retired, with an
// optional first odometer reading. A retry with the same request_id (its key travels in ctx)
// returns the vehicle registered then.
func (s *Service) RegisterVehicle(ctx context.Context, v domain.Vehicle, reading *domain.OdometerReading) (*domain.Vehicle, error) {
	if v.ID == "" {
		v.ID = "v-" + s.ids()
	} else if !domain.ValidID(v.ID) {
		return nil, validation.Field("vehicle_id", "must be lowercase letters, digits and hyphens, at most 63")
	}
	if v.State == "" {
		v.State = domain.InService
	}
	if v.State != domain.InService && v.State != domain.Retired {
		return nil, validation.Field("initial_state", "must be IN_SERVICE or RETIRED")
	}
	if v.RetireDate != "" && v.State != domain.Retired {
		return nil, validation.Field("vehicle.retire_date", "is set only for a vehicle registered retired (initial_state RETIRED); retire it with :retire")
	}
	today := s.today()
	if err := v.Validate(today); err != nil {
		return nil, err
	}
	if reading != nil {
		if err := v.CheckReading(*reading, today, "initial_reading.reading_date", "initial_reading.odometer_km"); err != nil {
			return nil, err
		}
		v.Readings = []domain.OdometerReading{*reading}
	}
	now := s.now()
	v.CreateTime, v.UpdateTime, v.Revision = now, now, 1
	created, _, err := s.repo.RegisterVehicle(ctx, &v, []*domain.Event{s.vehicleEvent(domain.VehicleRegistered, &v, "")})
	if err != nil {
		return nil, fmt.Errorf("register %s: %w", v.Name(), err)
	}
	return created, nil
}

// UpdateVehicle changes a vehicle's plate, make or model.
func (s *Service) UpdateVehicle(ctx context.Context, id string, patch domain.Vehicle, mask []string, etag string) (*domain.Vehicle, error) {
	return s.changeVehicle(ctx, id, etag, func(v *domain.Vehicle) (domain.EventType, []string, error) {
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
		return domain.VehicleUpdated, mask, v.Validate(s.today())
	})
}

// RecordOdometer adds a reading, which may not be lower than the previous one.
func (s *Service) RecordOdometer(ctx context.Context, id string, r domain.OdometerReading, etag string) (*domain.Vehicle, error) {
	return s.changeVehicle(ctx, id, etag, func(v *domain.Vehicle) (domain.EventType, []string, error) {
		if v.State == domain.Ceded || v.State == domain.Scrapped {
			return "", nil, fmt.Errorf("%s is %s: %w", v.Name(), v.State, domain.ErrWrongState)
		}
		if err := v.CheckReading(r, s.today(), "reading.reading_date", "reading.odometer_km"); err != nil {
			return "", nil, err
		}
		v.Readings = append(v.Readings, r)
		return domain.VehicleOdometerRecorded, nil, nil
	})
}

// RetireVehicle takes a vehicle out of service on date (kept on the vehicle) so that it may be
// offered to a partner.
func (s *Service) RetireVehicle(ctx context.Context, id string, date domain.Date, etag string) (*domain.Vehicle, error) {
	return s.changeVehicle(ctx, id, etag, func(v *domain.Vehicle) (domain.EventType, []string, error) {
		if err := v.Retire(date, s.today()); err != nil {
			return "", nil, err
		}
		return domain.VehicleRetired, nil, nil
	})
}

// ScrapVehicle scraps a vehicle in service or retired (not one reserved for a cession).
func (s *Service) ScrapVehicle(ctx context.Context, id string, date domain.Date, etag string) (*domain.Vehicle, error) {
	return s.changeVehicle(ctx, id, etag, func(v *domain.Vehicle) (domain.EventType, []string, error) {
		if v.State != domain.InService && v.State != domain.Retired {
			return "", nil, fmt.Errorf("%s is %s; only a vehicle in service or retired can be scrapped: %w", v.Name(), v.State, domain.ErrWrongState)
		}
		if !date.Valid() {
			return "", nil, validation.Field("scrap_date", "is required: a valid calendar date")
		}
		v.State = domain.Scrapped
		return domain.VehicleScrapped, nil, nil
	})
}

// changeVehicle runs one change of a vehicle under its etag, bumps its revision and records the
// event the change names.
func (s *Service) changeVehicle(ctx context.Context, id, etag string, change func(*domain.Vehicle) (domain.EventType, []string, error)) (*domain.Vehicle, error) {
	v, err := s.repo.UpdateVehicle(ctx, id, func(v *domain.Vehicle) ([]*domain.Event, error) {
		if err := domain.CheckEtag(etag, v.Etag()); err != nil {
			return nil, err
		}
		previous := v.State
		t, mask, err := change(v)
		if err != nil {
			return nil, err
		}
		v.Revision++
		v.UpdateTime = s.now()
		ev := s.vehicleEvent(t, v, previous)
		ev.UpdateMask = mask
		return []*domain.Event{ev}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("vehicles/%s: %w", id, err)
	}
	return v, nil
}

// GetVehicle returns one vehicle.
func (s *Service) GetVehicle(ctx context.Context, id string) (*domain.Vehicle, error) {
	v, err := s.repo.GetVehicle(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("vehicles/%s: %w", id, err)
	}
	return v, nil
}

// ListVehicles returns one page of vehicles.
func (s *Service) ListVehicles(ctx context.Context, q domain.Query) (Page[*domain.Vehicle], error) {
	return page(q.Limit, func(limit int) ([]*domain.Vehicle, int, error) {
		q.Limit = limit
		return s.repo.ListVehicles(ctx, q)
	}, func(v *domain.Vehicle) string { return v.ID })
}

package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/services/fleet/internal/domain"
)

// RegisterVehicle adds a vehicle of the Caf's fleet, in service or already retired, with an
// optional first odometer reading (domain.Vehicle.CheckRegistration). A retry with the same
// request_id (its key travels in ctx) returns the vehicle registered then.
func (s *Service) RegisterVehicle(ctx context.Context, v domain.Vehicle, reading *domain.OdometerReading) (*domain.Vehicle, error) {
	if err := s.newID(&v.ID, "v-", "vehicle_id"); err != nil {
		return nil, err
	}
	if err := v.CheckRegistration(reading, s.today()); err != nil {
		return nil, err
	}
	now := s.now()
	v.CreateTime, v.UpdateTime, v.Revision = now, now, 1
	created, _, err := s.repo.RegisterVehicle(ctx, &v, []*domain.Event{s.vehicleEvent(domain.VehicleRegistered, &v, "")})
	if err != nil {
		return nil, fmt.Errorf("register %s: %w", v.Name(), err)
	}
	return created, nil
}

package app

import (
	"context"

	"github.com/vif71/vif/services/fleet/internal/domain"
)

// RetireVehicle takes a vehicle out of service on date (kept on the vehicle) so that it may be
// offered to a partner (domain.Vehicle.Retire).
func (s *Service) RetireVehicle(ctx context.Context, id string, date domain.Date, etag string) (*domain.Vehicle, error) {
	return s.changeVehicle(ctx, id, etag, func(v *domain.Vehicle) (domain.EventType, []string, error) {
		return domain.VehicleRetired, nil, v.Retire(date, s.today())
	})
}

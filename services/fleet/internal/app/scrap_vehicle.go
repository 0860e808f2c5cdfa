package app

import (
	"context"

	"github.com/vif71/vif/services/fleet/internal/domain"
)

// ScrapVehicle scraps a vehicle in service or retired, not one reserved for a cession
// (domain.Vehicle.Scrap).
func (s *Service) ScrapVehicle(ctx context.Context, id string, date domain.Date, etag string) (*domain.Vehicle, error) {
	return s.changeVehicle(ctx, id, etag, func(v *domain.Vehicle) (domain.EventType, []string, error) {
		return domain.VehicleScrapped, nil, v.Scrap(date)
	})
}

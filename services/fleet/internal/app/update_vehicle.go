package app

import (
	"context"

	"github.com/vif71/vif/services/fleet/internal/domain"
)

// UpdateVehicle changes a vehicle's plate, make or model (domain.Vehicle.Patch).
func (s *Service) UpdateVehicle(ctx context.Context, id string, patch domain.Vehicle, mask []string, etag string) (*domain.Vehicle, error) {
	return s.changeVehicle(ctx, id, etag, func(v *domain.Vehicle) (domain.EventType, []string, error) {
		return domain.VehicleUpdated, mask, v.Patch(patch, mask, s.today())
	})
}

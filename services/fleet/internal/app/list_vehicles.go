package app

import (
	"context"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

// ListVehicles returns one page of vehicles.
func (s *Service) ListVehicles(ctx context.Context, q domain.Query) (resource.Page[*domain.Vehicle], error) {
	return resource.ReadPage(q.Limit, func(limit int) ([]*domain.Vehicle, int, error) {
		q.Limit = limit
		return s.repo.ListVehicles(ctx, q)
	}, func(v *domain.Vehicle) string { return v.ID })
}

package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/services/fleet/internal/domain"
)

// GetVehicle returns one vehicle.
func (s *Service) GetVehicle(ctx context.Context, id string) (*domain.Vehicle, error) {
	v, err := s.repo.GetVehicle(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("vehicles/%s: %w", id, err)
	}
	return v, nil
}

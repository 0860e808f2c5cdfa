package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/services/directory/internal/domain"
)

// GetOrganisation returns one organisation.
func (s *Service) GetOrganisation(ctx context.Context, id string) (*domain.Organisation, error) {
	o, err := s.repo.GetOrganisation(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("organisations/%s: %w", id, err)
	}
	return o, nil
}

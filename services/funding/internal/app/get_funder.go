package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/services/funding/internal/domain"
)

// GetFunder returns one funder.
func (s *Service) GetFunder(ctx context.Context, id string) (*domain.Funder, error) {
	f, err := s.repo.GetFunder(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("funders/%s: %w", id, err)
	}
	return f, nil
}

package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/services/funding/internal/domain"
)

// GetPlan returns one plan.
func (s *Service) GetPlan(ctx context.Context, post string, year int32) (*domain.Plan, error) {
	p, err := s.repo.GetPlan(ctx, post, year)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", domain.PlanName(post, year), err)
	}
	return p, nil
}

package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/services/funding/internal/domain"
)

// GetAgreement returns one agreement; a draft shows the total of its plan as the plan is now.
func (s *Service) GetAgreement(ctx context.Context, id string) (*domain.Agreement, error) {
	a, err := s.repo.GetAgreement(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("agreements/%s: %w", id, err)
	}
	if err := s.draftTotal(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

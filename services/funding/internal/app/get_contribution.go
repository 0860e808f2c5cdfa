package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// GetContribution returns one contribution, to managers and to the funder's own officers.
func (s *Service) GetContribution(ctx context.Context, actor domain.Actor, agreement, funder string) (*domain.Contribution, error) {
	name := "agreements/" + agreement + "/contributions/" + funder
	if !actor.Manager {
		f, err := s.repo.GetFunder(ctx, funder)
		if err != nil || !actor.CanReadContributionsOf(f) {
			return nil, fmt.Errorf("%s: only finance officers and the funder's own officers read it: %w", name, resource.ErrPermissionDenied)
		}
	}
	c, err := s.repo.GetContribution(ctx, agreement, funder)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return c, nil
}

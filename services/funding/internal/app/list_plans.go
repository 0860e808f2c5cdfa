package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// ListPlans returns one page of plans, by post then year.
func (s *Service) ListPlans(ctx context.Context, q domain.Query) (resource.Page[*domain.Plan], error) {
	return page(q, func(q domain.Query) ([]*domain.Plan, int, error) { return s.repo.ListPlans(ctx, q) },
		func(p *domain.Plan) string { return fmt.Sprintf("%s/%d", p.Post, p.Year) })
}

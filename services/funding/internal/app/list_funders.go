package app

import (
	"context"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// ListFunders returns one page of funders.
func (s *Service) ListFunders(ctx context.Context, q domain.Query) (resource.Page[*domain.Funder], error) {
	return page(q, func(q domain.Query) ([]*domain.Funder, int, error) { return s.repo.ListFunders(ctx, q) },
		func(f *domain.Funder) string { return f.ID })
}

package app

import (
	"context"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// ListAgreements returns one page of agreements; drafts show the totals of their plans as they
// are now.
func (s *Service) ListAgreements(ctx context.Context, q domain.Query) (resource.Page[*domain.Agreement], error) {
	p, err := page(q, func(q domain.Query) ([]*domain.Agreement, int, error) { return s.repo.ListAgreements(ctx, q) },
		func(a *domain.Agreement) string { return a.ID })
	if err != nil {
		return p, err
	}
	for _, a := range p.Items {
		if err := s.draftTotal(ctx, a); err != nil {
			return resource.Page[*domain.Agreement]{}, err
		}
	}
	return p, nil
}

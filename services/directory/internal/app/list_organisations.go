package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/directory/internal/domain"
)

// ListOrganisations returns one page of the organisations q selects, in id order.
func (s *Service) ListOrganisations(ctx context.Context, q domain.OrganisationQuery) (resource.Page[*domain.Organisation], error) {
	page, err := resource.ReadPage(q.Limit, func(limit int) ([]*domain.Organisation, int, error) {
		q.Limit = limit
		return s.repo.ListOrganisations(ctx, q)
	}, func(o *domain.Organisation) string { return o.ID })
	if err != nil {
		return resource.Page[*domain.Organisation]{}, fmt.Errorf("list organisations: %w", err)
	}
	return page, nil
}

package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/services/directory/internal/domain"
)

// ListOrganisations returns one page of the organisations q selects, in id order.
func (s *Service) ListOrganisations(ctx context.Context, q domain.OrganisationQuery) (Page[*domain.Organisation], error) {
	limit := max(q.Limit, 1)
	q.Limit = limit + 1 // one more tells whether a next page exists
	items, total, err := s.repo.ListOrganisations(ctx, q)
	if err != nil {
		return Page[*domain.Organisation]{}, fmt.Errorf("list organisations: %w", err)
	}
	page := Page[*domain.Organisation]{Items: items, Total: total}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextAfter = items[limit-1].ID
	}
	return page, nil
}

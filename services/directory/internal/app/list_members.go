package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/directory/internal/domain"
)

// ListMembers returns one page of the members q selects, in resource-name order, as actor may
// read them. A named network that does not exist is NotFound rather than an empty list.
func (s *Service) ListMembers(ctx context.Context, actor domain.Actor, q domain.MemberQuery) (resource.Page[*domain.Member], error) {
	if q.Network != "" {
		if !s.ref.HasNetwork(q.Network) {
			return resource.Page[*domain.Member]{}, fmt.Errorf("networks/%s: %w", q.Network, domain.ErrNotFound)
		}
	}
	page, err := resource.ReadPage(q.Limit, func(limit int) ([]*domain.Member, int, error) {
		q.Limit = limit
		return s.repo.ListMembers(ctx, q)
	}, (*domain.Member).Name)
	if err != nil {
		return resource.Page[*domain.Member]{}, fmt.Errorf("list members: %w", err)
	}
	for i, m := range page.Items {
		page.Items[i] = m.ShownTo(actor)
	}
	return page, nil
}

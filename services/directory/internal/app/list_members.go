package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/services/directory/internal/domain"
)

// ListMembers returns one page of the members q selects, in resource-name order, as actor may
// read them. A named network that does not exist is NotFound rather than an empty list.
func (s *Service) ListMembers(ctx context.Context, actor domain.Actor, q domain.MemberQuery) (Page[*domain.Member], error) {
	if q.Network != "" {
		if _, ok := s.ref.Network(q.Network); !ok {
			return Page[*domain.Member]{}, fmt.Errorf("networks/%s: %w", q.Network, domain.ErrNotFound)
		}
	}
	limit := max(q.Limit, 1)
	q.Limit = limit + 1
	items, total, err := s.repo.ListMembers(ctx, q)
	if err != nil {
		return Page[*domain.Member]{}, fmt.Errorf("list members: %w", err)
	}
	page := Page[*domain.Member]{Items: items, Total: total}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextAfter = items[limit-1].Name()
	}
	for i, m := range page.Items {
		page.Items[i] = m.ShownTo(actor)
	}
	return page, nil
}

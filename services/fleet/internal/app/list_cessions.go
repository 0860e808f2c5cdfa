package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

// ListCessions returns one page of cessions; a beneficiary's staff see only their
// organisation's. Overdue is computed against today. A window of handover days must have both
// ends, the end not before the start.
func (s *Service) ListCessions(ctx context.Context, actor domain.Actor, q domain.CessionQuery, overdue bool) (resource.Page[*domain.Cession], error) {
	if actor.Organisation != "" {
		if b, ok := q.Filters["beneficiary"]; ok && b != actor.Organisation {
			return resource.Page[*domain.Cession]{}, fmt.Errorf("organisations/%s's cessions: %w", b, resource.ErrPermissionDenied)
		}
		if q.Filters == nil {
			q.Filters = map[string]string{}
		}
		q.Filters["beneficiary"] = actor.Organisation
	}
	if q.HandedOverFrom != "" || q.HandedOverTo != "" {
		if err := domain.CheckWindow(q.HandedOverFrom, q.HandedOverTo); err != nil {
			return resource.Page[*domain.Cession]{}, err
		}
	}
	if overdue {
		q.OverdueOn = s.today()
	}
	return resource.ReadPage(q.Limit, func(limit int) ([]*domain.Cession, int, error) {
		q.Limit = limit
		return s.repo.ListCessions(ctx, q)
	}, func(c *domain.Cession) string { return c.ID })
}

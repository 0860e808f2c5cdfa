package app

import (
	"context"

	"github.com/vif71/vif/services/fleet/internal/domain"
)

// ApproveCession approves a proposed cession (domain.Cession.Approve).
func (s *Service) ApproveCession(ctx context.Context, id string, date domain.Date, etag string) (*domain.Cession, error) {
	return s.transition(ctx, id, etag, func(c *domain.Cession, _ *domain.Vehicle) (domain.EventType, domain.EventType, error) {
		return domain.CessionApproved, "", c.Approve(date)
	})
}

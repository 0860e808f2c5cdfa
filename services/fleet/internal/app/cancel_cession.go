package app

import (
	"context"

	"github.com/vif71/vif/services/fleet/internal/domain"
)

// CancelCession cancels a cession before its handover; the vehicle is retired again
// (domain.Cession.Cancel).
func (s *Service) CancelCession(ctx context.Context, id, reason string, date domain.Date, etag string) (*domain.Cession, error) {
	return s.transition(ctx, id, etag, func(c *domain.Cession, v *domain.Vehicle) (domain.EventType, domain.EventType, error) {
		return domain.CessionCancelled, domain.VehicleReleased, c.Cancel(v, reason, date)
	})
}

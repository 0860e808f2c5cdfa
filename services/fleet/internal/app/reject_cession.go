package app

import (
	"context"

	"github.com/vif71/vif/services/fleet/internal/domain"
)

// RejectCession rejects a proposed cession; the vehicle is retired again (domain.Cession.Reject).
func (s *Service) RejectCession(ctx context.Context, id, reason string, date domain.Date, etag string) (*domain.Cession, error) {
	return s.transition(ctx, id, etag, func(c *domain.Cession, v *domain.Vehicle) (domain.EventType, domain.EventType, error) {
		return domain.CessionRejected, domain.VehicleReleased, c.Reject(v, reason, date)
	})
}

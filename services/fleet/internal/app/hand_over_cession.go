package app

import (
	"context"

	"github.com/vif71/vif/services/fleet/internal/domain"
)

// HandOverCession records the official handover of an approved cession: the vehicle is ceded,
// its odometer recorded, and the transfer must be declared within 15 days
// (domain.Cession.HandOver).
func (s *Service) HandOverCession(ctx context.Context, id string, h domain.Handover, etag string) (*domain.Cession, error) {
	return s.transition(ctx, id, etag, func(c *domain.Cession, v *domain.Vehicle) (domain.EventType, domain.EventType, error) {
		return domain.CessionHandedOver, domain.VehicleCeded, c.HandOver(v, h, s.today())
	})
}

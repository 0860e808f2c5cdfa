package app

import (
	"context"

	"github.com/vif71/vif/services/fleet/internal/domain"
)

// DeclareCession records the declaration of the transfer of a handed-over cession
// (domain.Cession.Declare).
func (s *Service) DeclareCession(ctx context.Context, id string, date domain.Date, etag string) (*domain.Cession, error) {
	return s.transition(ctx, id, etag, func(c *domain.Cession, _ *domain.Vehicle) (domain.EventType, domain.EventType, error) {
		return domain.CessionDeclared, "", c.Declare(date, s.today())
	})
}

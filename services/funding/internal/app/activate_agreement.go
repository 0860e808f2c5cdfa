package app

import (
	"context"

	"github.com/vif71/vif/services/funding/internal/domain"
)

// ActivateAgreement puts a signed agreement in force (domain.Agreement.Activate).
func (s *Service) ActivateAgreement(ctx context.Context, id string, date domain.Date, etag string) (*domain.Agreement, error) {
	return s.transition(ctx, id, etag, domain.AgreementActivated, func(a *domain.Agreement, _ *domain.Plan) ([]*domain.Contribution, error) {
		return nil, a.Activate(date)
	})
}

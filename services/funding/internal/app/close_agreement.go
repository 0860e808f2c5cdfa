package app

import (
	"context"

	"github.com/vif71/vif/services/funding/internal/domain"
)

// CloseAgreement closes a signed or active agreement (domain.Agreement.Close).
func (s *Service) CloseAgreement(ctx context.Context, id string, date domain.Date, etag string) (*domain.Agreement, error) {
	return s.transition(ctx, id, etag, domain.AgreementClosed, func(a *domain.Agreement, _ *domain.Plan) ([]*domain.Contribution, error) {
		return nil, a.Close(date)
	})
}

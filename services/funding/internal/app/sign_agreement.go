package app

import (
	"context"

	"github.com/vif71/vif/services/funding/internal/domain"
)

// SignAgreement signs a draft: the plan is frozen and each funder's contribution opens with the
// plan's amount (domain.Agreement.Sign).
func (s *Service) SignAgreement(ctx context.Context, id, reference string, date domain.Date, etag string) (*domain.Agreement, error) {
	return s.transition(ctx, id, etag, domain.AgreementSigned, func(a *domain.Agreement, plan *domain.Plan) ([]*domain.Contribution, error) {
		return a.Sign(plan, reference, date, s.now())
	})
}

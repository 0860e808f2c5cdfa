package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// CreateAgreement drafts the agreement of a plan; a plan has one agreement.
func (s *Service) CreateAgreement(ctx context.Context, a domain.Agreement) (*domain.Agreement, error) {
	if a.ID == "" {
		a.ID = fmt.Sprintf("%s-%d", a.Post, a.Year)
		if !resource.ValidID(a.ID) {
			// A post id near the 63-character limit leaves no room for the year: a longer id
			// would name an agreement that no method accepts.
			a.ID = "a-" + s.ids()
		}
	} else if err := s.newID(&a.ID, "a-", "agreement_id"); err != nil {
		return nil, err
	}
	a.Reference, a.Purpose = strings.TrimSpace(a.Reference), strings.TrimSpace(a.Purpose)
	if a.Purpose == "" {
		post, err := s.repo.GetPost(ctx, a.Post)
		if err != nil {
			return nil, validation.Field("agreement.plan", domain.PlanName(a.Post, a.Year)+" does not exist")
		}
		a.Purpose = fmt.Sprintf("Co-financement du poste %s, année %d", post.DisplayName, a.Year)
	}
	now := s.now()
	a.State, a.CreateTime, a.UpdateTime, a.Revision = domain.StateDraft, now, now, 1
	created, _, err := s.repo.CreateAgreement(ctx, &a, func(plan *domain.Plan, taken bool) (*domain.Event, error) {
		if plan == nil {
			return nil, validation.Field("agreement.plan", domain.PlanName(a.Post, a.Year)+" does not exist")
		}
		if taken {
			return nil, fmt.Errorf("%s already has an agreement: %w", plan.Name(), domain.ErrAlreadyExists)
		}
		a.TotalCents = plan.AnnualCostCents
		ev := s.newEvent(domain.AgreementCreated)
		ev.Agreement = &a
		return ev, nil
	})
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", a.Name(), err)
	}
	return created, nil
}

package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// What the use cases share: an agreement's step under its etag, a draft's total.

// transition runs one step of an agreement under its etag: change moves it (and may open its
// contributions); the step is recorded as an event of type evType.
func (s *Service) transition(ctx context.Context, id, etag string, evType domain.EventType, change func(*domain.Agreement, *domain.Plan) ([]*domain.Contribution, error)) (*domain.Agreement, error) {
	a, err := s.repo.TransitionAgreement(ctx, id, func(a *domain.Agreement, plan *domain.Plan) ([]*domain.Contribution, *domain.Event, error) {
		if err := resource.CheckEtag(etag, a.Etag()); err != nil {
			return nil, nil, err
		}
		previous := a.State
		contributions, err := change(a, plan)
		if err != nil {
			return nil, nil, err
		}
		a.Revision++
		a.UpdateTime = s.now()
		ev := s.newEvent(evType)
		ev.Agreement, ev.PreviousState = a, previous
		return contributions, ev, nil
	})
	if err != nil {
		return nil, fmt.Errorf("agreements/%s: %w", id, err)
	}
	return a, nil
}

// draftTotal gives a draft the total of its plan as the plan is now: the plan may be revised until
// the agreement is signed, while the stored total is the plan's when the draft was created.
func (s *Service) draftTotal(ctx context.Context, a *domain.Agreement) error {
	if a.State != domain.StateDraft {
		return nil
	}
	plan, err := s.repo.GetPlan(ctx, a.Post, a.Year)
	if err != nil {
		return fmt.Errorf("%s of %s: %w", domain.PlanName(a.Post, a.Year), a.Name(), err)
	}
	a.TotalCents = plan.AnnualCostCents
	return nil
}

package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/services/funding/internal/domain"
)

// CreatePlan checks a post's plan for a year (domain.Plan.CheckShape, within the post's life),
// computes each funder's contribution to the cent (domain.Plan.Compute), and stores it with its
// event.
func (s *Service) CreatePlan(ctx context.Context, p domain.Plan) (*domain.Plan, error) {
	if err := p.CheckShape(); err != nil {
		return nil, err
	}
	post, err := s.repo.GetPost(ctx, p.Post)
	if err != nil {
		return nil, fmt.Errorf("posts/%s: %w", p.Post, err)
	}
	if err := post.CheckPlanYear(p.Year); err != nil {
		return nil, err
	}
	pops, err := s.preparePlan(ctx, &p, post)
	if err != nil {
		return nil, err
	}
	now := s.now()
	p.CreateTime, p.UpdateTime, p.Revision, p.Revisions = now, now, 1, 0
	created, _, err := s.repo.CreatePlan(ctx, &p, func(funders map[string]*domain.Funder) (*domain.Event, error) {
		if err := p.Compute(funders, pops); err != nil {
			return nil, err
		}
		ev := s.newEvent(domain.PlanCreated)
		ev.Plan = &p
		return ev, nil
	})
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", p.Name(), err)
	}
	return created, nil
}

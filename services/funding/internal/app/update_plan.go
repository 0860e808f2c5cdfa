package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// UpdatePlan revises a plan and recomputes its contributions, unless its agreement is signed
// (domain.Plan.CheckRevisable). What needs the directory is resolved before the transaction, on
// the plan as it is now; a plan changed in between is refused as stale.
func (s *Service) UpdatePlan(ctx context.Context, postID string, year int32, patch domain.Plan, mask []string, etag string) (*domain.Plan, error) {
	current, err := s.repo.GetPlan(ctx, postID, year)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", domain.PlanName(postID, year), err)
	}
	post, err := s.repo.GetPost(ctx, postID)
	if err != nil {
		return nil, err
	}
	draft := *current
	draft.Apply(&patch, mask)
	if err := draft.CheckShape(); err != nil {
		return nil, err
	}
	pops, err := s.preparePlan(ctx, &draft, post)
	if err != nil {
		return nil, err
	}
	updated, err := s.repo.UpdatePlan(ctx, postID, year, func(p *domain.Plan, state domain.AgreementState, funders func([]string) (map[string]*domain.Funder, error)) (*domain.Event, error) {
		if err := resource.CheckEtag(etag, p.Etag()); err != nil {
			return nil, err
		}
		if err := p.CheckRevisable(state); err != nil {
			return nil, err
		}
		if p.Revision != current.Revision {
			return nil, resource.ErrEtagMismatch // the directory's answers may no longer fit
		}
		p.Apply(&patch, mask)
		p.EPCIFunders = draft.EPCIFunders
		fs, err := funders(p.Funders())
		if err != nil {
			return nil, err
		}
		if err := p.Compute(fs, pops); err != nil {
			return nil, err
		}
		p.Revision++
		p.Revisions++
		p.UpdateTime = s.now()
		ev := s.newEvent(domain.PlanRevised)
		ev.Plan, ev.UpdateMask = p, mask
		return ev, nil
	})
	if err != nil {
		return nil, fmt.Errorf("update %s: %w", domain.PlanName(postID, year), err)
	}
	return updated, nil
}

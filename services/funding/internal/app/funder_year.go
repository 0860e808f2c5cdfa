package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// FunderYearSummary is one funder's commitments for a year.
type FunderYearSummary struct {
	Funder                                                            string
	Year                                                              int32
	PlannedCents, CommittedCents, CalledCents, PaidCents, Outstanding int64
	PostCount                                                         int
}

// FunderYear sums a funder's contributions in a year's plans and agreements. Like the
// contributions it adds up, it is read by managers and by the funder's own officers; to anybody
// else an unknown funder is denied too, so that the answer tells nothing of which exist.
func (s *Service) FunderYear(ctx context.Context, actor domain.Actor, funder string, year int32) (*FunderYearSummary, error) {
	f, err := s.repo.GetFunder(ctx, funder)
	if !actor.Manager && (err == nil || errors.Is(err, domain.ErrNotFound)) && !actor.CanReadContributionsOf(f) {
		return nil, fmt.Errorf("funders/%s: its year summary is read by finance officers and the funder's own officers: %w", funder, resource.ErrPermissionDenied)
	}
	if err != nil {
		return nil, fmt.Errorf("funders/%s: %w", funder, err)
	}
	plans, err := s.repo.PlansOfYear(ctx, year)
	if err != nil {
		return nil, err
	}
	sum := &FunderYearSummary{Funder: funder, Year: year}
	for _, p := range plans {
		for _, c := range p.Contributions {
			if c.Funder == funder {
				sum.PlannedCents += c.AmountCents
				sum.PostCount++
			}
		}
	}
	_, contributions, err := s.repo.AgreementsOfYear(ctx, year)
	if err != nil {
		return nil, err
	}
	for _, cs := range contributions {
		for _, c := range cs {
			if c.Funder == funder {
				sum.CommittedCents += c.AmountCents
				sum.CalledCents += c.CalledCents
				sum.PaidCents += c.PaidCents
			}
		}
	}
	sum.Outstanding = sum.CommittedCents - sum.PaidCents
	return sum, nil
}

package app

import (
	"context"

	"github.com/vif71/vif/services/funding/internal/domain"
)

// YearSummary is the département-wide view of a year.
type YearSummary struct {
	Year                  int32
	PostCount             int
	TotalCostCents        int64
	ByKind                map[domain.FunderKind]int64
	StateEffectiveShareBP int32
}

// Year sums a year's plans: total cost, totals by kind of funder, and the State's effective share.
func (s *Service) Year(ctx context.Context, year int32) (*YearSummary, error) {
	plans, err := s.repo.PlansOfYear(ctx, year)
	if err != nil {
		return nil, err
	}
	sum := &YearSummary{Year: year, ByKind: map[domain.FunderKind]int64{}}
	for _, p := range plans {
		sum.PostCount++
		sum.TotalCostCents += p.AnnualCostCents
		for _, c := range p.Contributions {
			sum.ByKind[c.Kind] += c.AmountCents
		}
	}
	if sum.TotalCostCents > 0 {
		// Rounded half up: (2*state*10000 + total) / (2*total), in integers. state*20000 fits
		// in int64 for any total this service accepts.
		state := sum.ByKind[domain.KindState]
		sum.StateEffectiveShareBP = int32((2*state*domain.FullBP + sum.TotalCostCents) / (2 * sum.TotalCostCents))
	}
	return sum, nil
}

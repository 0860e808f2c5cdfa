package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// CompareWithNational compares the yearly growth of a network, or of the département (scope
// ""), with the national reference series, from year from to year to.
func (s *Service) CompareWithNational(ctx context.Context, actor domain.Actor, scope string, from, to int) ([]domain.YearComparison, bool, error) {
	switch {
	case to < from:
		return nil, false, validation.Field("end_year", fmt.Sprintf("%d is before start_year %d", to, from))
	case to-from > domain.MaxQueryYears:
		return nil, false, validation.Field("end_year", fmt.Sprintf("more than %d years after start_year", domain.MaxQueryYears))
	}
	known, networks, err := s.networks(ctx)
	if err != nil {
		return nil, false, err
	}
	if err := s.checkScope(ctx, scope, known); err != nil {
		return nil, false, err
	}
	national, _, err := s.repo.ListNationalFigures(ctx, from-2, 0)
	if err != nil {
		return nil, false, err
	}
	pub, err := s.publisher(ctx, actor, networks, from-1, to)
	if err != nil {
		return nil, false, err
	}
	years, err := pub.Comparison(scope, from, to, national)
	return years, pub.Raw(scope), err
}

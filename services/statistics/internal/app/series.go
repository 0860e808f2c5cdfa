package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// QuerySeries computes the figures of a network, or of the département (scope ""), for every
// period of granularity g from start to end, as the caller may see them.
func (s *Service) QuerySeries(ctx context.Context, actor domain.Actor, scope string, g domain.Granularity, start, end string) (*domain.Series, error) {
	var errs validation.Error
	first, err := domain.ParsePeriod(start)
	if err != nil {
		errs.Add("start_period", err.Error())
	}
	last, err := domain.ParsePeriod(end)
	if err != nil {
		errs.Add("end_period", err.Error())
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	periods, err := domain.PeriodsBetween(first, last, g)
	if err != nil {
		return nil, validation.Field("end_period", err.Error())
	}
	known, networks, err := s.networks(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.checkScope(ctx, scope, known); err != nil {
		return nil, err
	}
	// The year before the first period gives the first year-over-year change.
	pub, err := s.publisher(ctx, actor, networks, periods[0].Year()-1, periods[len(periods)-1].Year())
	if err != nil {
		return nil, err
	}
	return pub.Series(scope, g, periods)
}

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

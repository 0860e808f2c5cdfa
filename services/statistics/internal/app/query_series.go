package app

import (
	"context"

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

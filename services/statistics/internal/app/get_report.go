package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/services/statistics/internal/domain"
)

// GetReport returns the latest revision of a report, as the caller may see it.
func (s *Service) GetReport(ctx context.Context, actor domain.Actor, network string, p domain.Period) (ReportView, error) {
	r, err := s.repo.LatestReport(ctx, network, p)
	if err != nil {
		return ReportView{}, fmt.Errorf("%s: %w", domain.ReportName(network, p), err)
	}
	return s.view(ctx, actor, r, true)
}

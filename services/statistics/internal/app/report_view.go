package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/services/statistics/internal/domain"
)

// ReportView is a report revision as one caller may see it.
type ReportView struct {
	Report *domain.Report
	domain.ReportView
}

// Page is one page of a list; Next is where the next page starts (0 on the last).
type Page[T any] struct {
	Items []T
	Next  int64
	Total int
}

// view applies disclosure control to one revision of a report.
func (s *Service) view(ctx context.Context, actor domain.Actor, r *domain.Report, latest bool) (ReportView, error) {
	pub, err := s.yearPublisher(ctx, actor, r.Network, r.Period)
	if err != nil {
		return ReportView{}, err
	}
	if !pub.Has(r.Network, r.Period) {
		return ReportView{}, fmt.Errorf("%s: %w", r.Name(), domain.ErrNotFound)
	}
	v, err := pub.ViewReport(r, latest)
	if err != nil {
		return ReportView{}, err
	}
	return ReportView{Report: r, ReportView: v}, nil
}

// yearPublisher prepares the answers about network's reports of p's year. The directory is not
// needed: protection depends on the reports only. A caller who sees the network's reports raw
// is answered from the live reports; anyone else from the year's latest release, which answers
// no report it does not hold (Has): to them, a report not yet published does not exist, as if
// it had not been submitted.
func (s *Service) yearPublisher(ctx context.Context, actor domain.Actor, network string, p domain.Period) (*domain.Publisher, error) {
	if actor.SeesRaw(network) {
		reports, err := s.repo.LatestReports(ctx, "", p.Year(), p.Year())
		if err != nil {
			return nil, err
		}
		return domain.NewPublisher(reports, nil, s.threshold, actor), nil
	}
	return s.publisher(ctx, actor, nil, p.Year(), p.Year())
}

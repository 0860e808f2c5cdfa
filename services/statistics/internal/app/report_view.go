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
	if !actor.SeesRaw(r.Network) {
		if r, err = s.publishedRevision(ctx, pub, r); err != nil {
			return ReportView{}, err
		}
	}
	v, err := pub.ViewReport(r, latest)
	if err != nil {
		return ReportView{}, err
	}
	return ReportView{Report: r, ReportView: v}, nil
}

// publishedRevision returns the revision of latest's report (latest is its latest revision) that
// pub, answering from the releases, holds: the newest whose counts are the release's figure, so
// that a protected reader learns nothing of a correction before it is published; latest when
// the release's figure is the sum of the report's sub-periods (it is superseded: its counts are
// hidden, and no revision is the figure). ErrNotFound when the release holds no figure for it.
func (s *Service) publishedRevision(ctx context.Context, pub *domain.Publisher, latest *domain.Report) (*domain.Report, error) {
	f, ok := pub.FigureOf(latest.Network, latest.Period)
	switch {
	case !ok:
		return nil, fmt.Errorf("%s: %w", latest.Name(), domain.ErrNotFound)
	case f.Derived || f.Counts.Equal(latest.Counts):
		return latest, nil
	}
	rs, err := s.repo.ReportRevisions(ctx, latest.Network, latest.Period, latest.Revision, 0)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		if f.Counts.Equal(r.Counts) {
			return r, nil
		}
	}
	return nil, fmt.Errorf("%s: %w", latest.Name(), domain.ErrNotFound)
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

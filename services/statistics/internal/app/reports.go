package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// ReportView is a report revision as one caller may see it.
type ReportView struct {
	Report *domain.Report
	domain.ReportView
}

// SubmitReport records a network's counts for a period as the report's next revision. Admins
// submit for any network, a coordinator for theirs; the network must exist in the directory;
// the period must have begun. A retry with the same request_id (its key travels in ctx) returns
// the revision it created.
func (s *Service) SubmitReport(ctx context.Context, actor domain.Actor, network, period string, sub domain.Submission) (ReportView, error) {
	p, err := domain.ParsePeriod(period)
	if err != nil {
		return ReportView{}, validation.Field("period", err.Error())
	}
	now := s.now()
	if !p.Begun(now) {
		return ReportView{}, validation.Field("period", fmt.Sprintf("%s has not begun: a report counts what has happened", p))
	}
	counts, err := domain.NewCounts(sub)
	if err != nil {
		return ReportView{}, validation.Prefix("counts", err)
	}
	if !actor.SeesRaw(network) {
		return ReportView{}, fmt.Errorf("%w: only an admin or a coordinator of networks/%s submits its reports", domain.ErrPermissionDenied, network)
	}
	known, _, err := s.networks(ctx)
	if err != nil {
		return ReportView{}, err
	}
	if _, ok := known[network]; !ok {
		return ReportView{}, validation.Field("parent", "networks/"+network+" does not exist in the directory")
	}
	r := &domain.Report{Network: network, Period: p, Counts: counts, SubmitTime: now, SubmittedBy: actor.Subject}
	stored, _, err := s.repo.SubmitReport(ctx, r, func(r *domain.Report) []*domain.Event {
		t := domain.ReportSubmitted
		if r.Revision > 1 {
			t = domain.ReportRevised
		}
		return []*domain.Event{{ID: s.ids(), Type: t, Time: now, Report: r}}
	})
	if err != nil {
		return ReportView{}, err
	}
	return s.view(ctx, actor, stored, true)
}

// GetReport returns the latest revision of a report, as the caller may see it.
func (s *Service) GetReport(ctx context.Context, actor domain.Actor, network string, p domain.Period) (ReportView, error) {
	r, err := s.repo.LatestReport(ctx, network, p)
	if err != nil {
		return ReportView{}, fmt.Errorf("%s: %w", domain.ReportName(network, p), err)
	}
	return s.view(ctx, actor, r, true)
}

// ReportRevisions returns a report's revisions older than before (0: from the latest), newest
// first, as the caller may see them: only an entitled caller sees the counts of any of them.
func (s *Service) ReportRevisions(ctx context.Context, actor domain.Actor, network string, p domain.Period, before int64, limit int) (Page[ReportView], error) {
	limit = max(limit, 1)
	rs, err := s.repo.ReportRevisions(ctx, network, p, before, limit+1)
	if err != nil {
		return Page[ReportView]{}, fmt.Errorf("%s: %w", domain.ReportName(network, p), err)
	}
	var out Page[ReportView]
	if len(rs) > limit {
		rs = rs[:limit]
		out.Next = rs[limit-1].Revision
	}
	// Every revision of the page is of the same report, hence of the same year: one publisher
	// serves them all.
	pub, err := s.yearPublisher(ctx, actor, network, p)
	if err != nil {
		return Page[ReportView]{}, err
	}
	for _, r := range rs {
		v, err := pub.ViewReport(r, r.Revision == rs[0].Revision && before == 0)
		if err != nil {
			return Page[ReportView]{}, err
		}
		out.Items = append(out.Items, ReportView{Report: r, ReportView: v})
	}
	return out, nil
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
	v, err := pub.ViewReport(r, latest)
	if err != nil {
		return ReportView{}, err
	}
	return ReportView{Report: r, ReportView: v}, nil
}

// yearPublisher prepares the answers about network's reports of p's year. The directory is not
// needed: protection depends on the reports only. A caller who sees the network's reports raw
// is given no protected figure by them, so their answer makes no release.
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

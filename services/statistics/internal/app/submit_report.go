package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

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
		return ReportView{}, fmt.Errorf("%w: only an admin or a coordinator of networks/%s submits its reports", resource.ErrPermissionDenied, network)
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

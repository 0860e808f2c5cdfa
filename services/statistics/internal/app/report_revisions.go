package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/services/statistics/internal/domain"
)

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
	if !pub.Has(network, p) {
		return Page[ReportView]{}, fmt.Errorf("%s: %w", domain.ReportName(network, p), domain.ErrNotFound)
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

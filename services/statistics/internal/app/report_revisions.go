package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/services/statistics/internal/domain"
)

// ReportRevisions returns a report's revisions older than before (0: from the latest), newest
// first, as the caller may see them: only an entitled caller sees the counts of any of them. To
// anyone else the report's revisions end at the one its year's latest release holds (see
// publishedRevision), and a report no release holds does not exist.
func (s *Service) ReportRevisions(ctx context.Context, actor domain.Actor, network string, p domain.Period, before int64, limit int) (Page[ReportView], error) {
	limit = max(limit, 1)
	// Every revision of the page is of the same report, hence of the same year: one publisher
	// serves them all.
	pub, err := s.yearPublisher(ctx, actor, network, p)
	if err != nil {
		return Page[ReportView]{}, err
	}
	latest := int64(0) // the revision a protected reader is shown as the latest: the published one
	if !actor.SeesRaw(network) {
		r, err := s.repo.LatestReport(ctx, network, p)
		if err == nil {
			r, err = s.publishedRevision(ctx, pub, r)
		}
		if err != nil {
			return Page[ReportView]{}, fmt.Errorf("%s: %w", domain.ReportName(network, p), err)
		}
		latest = r.Revision
		if before == 0 || before > latest+1 {
			before = latest + 1 // the revisions after it are not published yet
		}
	}
	rs, err := s.repo.ReportRevisions(ctx, network, p, before, limit+1)
	if err != nil {
		return Page[ReportView]{}, fmt.Errorf("%s: %w", domain.ReportName(network, p), err)
	}
	var out Page[ReportView]
	if len(rs) > limit {
		rs = rs[:limit]
		out.Next = rs[limit-1].Revision
	}
	for _, r := range rs {
		isLatest := r.Revision == latest || (latest == 0 && r.Revision == rs[0].Revision && before == 0)
		v, err := pub.ViewReport(r, isLatest)
		if err != nil {
			return Page[ReportView]{}, err
		}
		out.Items = append(out.Items, ReportView{Report: r, ReportView: v})
	}
	return out, nil
}

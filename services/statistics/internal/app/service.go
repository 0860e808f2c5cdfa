// Package app holds the statistics service's use cases. It depends on the domain only: no SQL,
// no protobuf.
package app

import (
	"context"
	"fmt"
	"time"

	"github.com/vif71/vif/services/statistics/internal/domain"
)

// Service runs the statistics use cases.
type Service struct {
	repo      domain.Repository
	dir       domain.Directory
	now       domain.Clock
	ids       domain.IDs
	threshold int64
	patterns  *domain.PatternCache
	releases  *domain.ReleaseCache
}

// patternCacheSize is how many years' patterns the service keeps (per depth): the years a
// console shows at once, several times over.
const patternCacheSize = 64

// New returns a Service protecting figures at threshold (domain.DefaultThreshold when < 1);
// times are kept in UTC to the microsecond, as both databases store them.
func New(repo domain.Repository, dir domain.Directory, now domain.Clock, ids domain.IDs, threshold int64) *Service {
	if threshold < 1 {
		threshold = domain.DefaultThreshold
	}
	clock := func() time.Time { return now().UTC().Truncate(time.Microsecond) }
	return &Service{repo: repo, dir: dir, now: clock, ids: ids, threshold: threshold,
		patterns: domain.NewPatternCache(patternCacheSize), releases: domain.NewReleaseCache()}
}

// networks returns the directory's networks by id.
func (s *Service) networks(ctx context.Context) (map[string]domain.Network, []domain.Network, error) {
	list, err := s.dir.Networks(ctx)
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[string]domain.Network, len(list))
	for _, n := range list {
		byID[n.ID] = n
	}
	return byID, list, nil
}

// publisher prepares the answers to actor over the years from..to, as actor may see them: raw
// and live what they are entitled to (every network's latest reports for an admin, their own
// network's for a coordinator), the rest from each year's latest release
// (domain.Publisher.UseReleases), which computes no protection and needs no other report.
func (s *Service) publisher(ctx context.Context, actor domain.Actor, networks []domain.Network, from, to int) (*domain.Publisher, error) {
	var reports []*domain.Report
	var err error
	switch {
	case actor.SeesAllRaw():
		reports, err = s.repo.LatestReports(ctx, "", from, to)
	case actor.Network != "":
		reports, err = s.repo.LatestReports(ctx, actor.Network, from, to)
	}
	if err != nil {
		return nil, err
	}
	p := domain.NewPublisher(reports, networks, s.threshold, actor).UseCache(s.patterns).UseReleaseCache(s.releases)
	if err := p.UseReleases(ctx, s.repo, from, to); err != nil {
		return nil, err
	}
	return p, nil
}

// checkScope refuses a network that neither the directory nor the reports know.
func (s *Service) checkScope(ctx context.Context, scope string, known map[string]domain.Network) error {
	if _, ok := known[scope]; ok || scope == "" {
		return nil
	}
	rs, err := s.repo.LatestReports(ctx, scope, domain.FirstYear, domain.LastYear)
	if err != nil {
		return err
	}
	if len(rs) == 0 {
		return fmt.Errorf("networks/%s: %w", scope, domain.ErrNotFound)
	}
	return nil
}

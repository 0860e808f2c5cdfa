package app

import (
	"context"

	"github.com/vif71/vif/services/statistics/internal/domain"
)

// ListReleases returns a year's releases after number after (0: from the first), oldest first:
// when its figures were published, nothing else. Public.
func (s *Service) ListReleases(ctx context.Context, year, after, limit int) (Page[*domain.Release], error) {
	limit = max(limit, 1)
	rs, err := s.repo.ListReleases(ctx, year, after, limit+1)
	if err != nil {
		return Page[*domain.Release]{}, err
	}
	out := Page[*domain.Release]{Items: rs}
	if len(rs) > limit {
		out.Items = rs[:limit]
		out.Next = int64(rs[limit-1].Number)
	}
	return out, nil
}

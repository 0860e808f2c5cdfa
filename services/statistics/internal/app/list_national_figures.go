package app

import (
	"context"

	"github.com/vif71/vif/services/statistics/internal/domain"
)

// ListNationalFigures returns the national series after year after (0: from the first), by year.
func (s *Service) ListNationalFigures(ctx context.Context, after, limit int) (Page[*domain.NationalFigure], error) {
	limit = max(limit, 1)
	fs, total, err := s.repo.ListNationalFigures(ctx, after, limit+1)
	if err != nil {
		return Page[*domain.NationalFigure]{}, err
	}
	out := Page[*domain.NationalFigure]{Items: fs, Total: total}
	if len(fs) > limit {
		out.Items = fs[:limit]
		out.Next = int64(fs[limit-1].Year)
	}
	return out, nil
}

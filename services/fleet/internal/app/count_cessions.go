package app

import (
	"context"
	"sort"

	"github.com/vif71/vif/services/fleet/internal/domain"
)

// KindCount is how many cessions went to one kind of beneficiary.
type KindCount struct {
	Kind  string
	Count int
}

// CountCessions counts the vehicles handed over between two days (inclusive), by kind of
// beneficiary, largest first.
func (s *Service) CountCessions(ctx context.Context, from, to domain.Date) (int, []KindCount, error) {
	if err := domain.CheckWindow(from, to); err != nil {
		return 0, nil, err
	}
	counts, err := s.repo.CountHandedOver(ctx, from, to)
	if err != nil {
		return 0, nil, err
	}
	total := 0
	out := make([]KindCount, 0, len(counts))
	for k, n := range counts {
		out = append(out, KindCount{Kind: k, Count: n})
		total += n
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Kind < out[j].Kind
	})
	return total, out, nil
}

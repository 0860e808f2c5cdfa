package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// ListContributions returns one page of contributions. Managers see all; a funder's officers see
// their funder's, and must name it when their organisation acts for several funders.
func (s *Service) ListContributions(ctx context.Context, actor domain.Actor, q domain.Query) (resource.Page[*domain.Contribution], error) {
	if !actor.Manager {
		if actor.Organisation == "" {
			return resource.Page[*domain.Contribution]{}, fmt.Errorf("contributions are read by finance officers and the funders' own officers; others see the summaries: %w", resource.ErrPermissionDenied)
		}
		own, _, err := s.repo.ListFunders(ctx, domain.Query{Filters: map[string]string{"organisation": actor.Organisation}, Limit: 100})
		if err != nil {
			return resource.Page[*domain.Contribution]{}, err
		}
		asked, named := q.Filters["funder"]
		switch {
		case named:
			if !containsFunder(own, asked) {
				return resource.Page[*domain.Contribution]{}, fmt.Errorf("funders/%s is not yours: %w", asked, resource.ErrPermissionDenied)
			}
		case len(own) == 1:
			q.Filters = withFilter(q.Filters, "funder", own[0].ID)
		case len(own) == 0:
			return resource.Page[*domain.Contribution]{}, fmt.Errorf("organisations/%s acts for no funder: %w", actor.Organisation, resource.ErrPermissionDenied)
		default:
			return resource.Page[*domain.Contribution]{}, validation.Field("filter", "your organisation acts for several funders: filter by funder")
		}
	}
	return page(q, func(q domain.Query) ([]*domain.Contribution, int, error) { return s.repo.ListContributions(ctx, q) },
		func(c *domain.Contribution) string { return c.Agreement + "/" + c.Funder })
}

func containsFunder(fs []*domain.Funder, id string) bool {
	for _, f := range fs {
		if f.ID == id {
			return true
		}
	}
	return false
}

func withFilter(filters map[string]string, key, value string) map[string]string {
	out := map[string]string{key: value}
	for k, v := range filters {
		if k != key {
			out[k] = v
		}
	}
	return out
}

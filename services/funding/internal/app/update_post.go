package app

import (
	"context"
	"fmt"
	"slices"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// UpdatePost changes the fields of mask. A new network or host is checked against the directory
// before the transaction, so a slow directory never holds a lock. The post's life must still
// cover its plans (domain.Post.CheckLifeCovers).
func (s *Service) UpdatePost(ctx context.Context, id string, patch domain.Post, mask []string, etag string) (*domain.Post, error) {
	var network, host string
	if slices.Contains(mask, "network") {
		network = patch.Network
	}
	if slices.Contains(mask, "host_organisation") {
		host = patch.HostOrganisation
	}
	if err := s.checkPostReferences(ctx, network, host); err != nil {
		return nil, err
	}
	years, err := s.planYears(ctx, id, mask)
	if err != nil {
		return nil, err
	}
	updated, err := s.repo.UpdatePost(ctx, id, func(p *domain.Post) (*domain.Event, error) {
		if err := resource.CheckEtag(etag, p.Etag()); err != nil {
			return nil, err
		}
		p.Apply(&patch, mask)
		if err := p.Validate(); err != nil {
			return nil, err
		}
		if err := p.CheckLifeCovers(years); err != nil {
			return nil, err
		}
		p.Revision++
		p.UpdateTime = s.now()
		ev := s.newEvent(domain.PostUpdated)
		ev.Post, ev.UpdateMask = p, mask
		return ev, nil
	})
	if err != nil {
		return nil, fmt.Errorf("update posts/%s: %w", id, err)
	}
	return updated, nil
}

// planYears lists the years of post's plans when mask changes its dates (nil otherwise). They
// are read before the transaction: a plan created meanwhile was itself checked against the
// post's dates as they were.
func (s *Service) planYears(ctx context.Context, post string, mask []string) ([]int32, error) {
	if !slices.Contains(mask, "start_date") && !slices.Contains(mask, "end_date") {
		return nil, nil
	}
	plans, _, err := s.repo.ListPlans(ctx, domain.Query{Filters: map[string]string{"post": post}})
	if err != nil {
		return nil, err
	}
	var years []int32
	for _, pl := range plans {
		years = append(years, pl.Year)
	}
	return years, nil
}

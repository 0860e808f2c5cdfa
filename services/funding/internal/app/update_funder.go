package app

import (
	"context"
	"fmt"
	"slices"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// UpdateFunder changes the display name, organisation or SIRET of a funder. A new organisation
// is checked against the directory before the transaction, so a slow directory never holds a
// lock; kind, EPCI and commune never change, so they are not asked again.
func (s *Service) UpdateFunder(ctx context.Context, id string, patch domain.Funder, mask []string, etag string) (*domain.Funder, error) {
	if slices.Contains(mask, "organisation") {
		if err := s.checkFunderOrganisation(ctx, patch.Organisation); err != nil {
			return nil, err
		}
	}
	updated, err := s.repo.UpdateFunder(ctx, id, func(f *domain.Funder) (*domain.Event, error) {
		if err := resource.CheckEtag(etag, f.Etag()); err != nil {
			return nil, err
		}
		f.Apply(&patch, mask)
		if err := f.Validate(); err != nil {
			return nil, err
		}
		f.Revision++
		f.UpdateTime = s.now()
		ev := s.newEvent(domain.FunderUpdated)
		ev.Funder, ev.UpdateMask = f, mask
		return ev, nil
	})
	if err != nil {
		return nil, fmt.Errorf("update funders/%s: %w", id, err)
	}
	return updated, nil
}

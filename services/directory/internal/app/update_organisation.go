package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/directory/internal/domain"
)

// UpdateOrganisation changes the fields of mask to the values in patch, if etag (when given)
// still matches and the organisation is not deleted. The mask holds API field names already checked by the edge.
func (s *Service) UpdateOrganisation(ctx context.Context, id string, patch domain.Organisation, mask []string, etag string) (*domain.Organisation, error) {
	updated, err := s.repo.UpdateOrganisation(ctx, id, func(o *domain.Organisation) (*domain.Event, error) {
		if err := resource.CheckEtag(etag, o.Etag()); err != nil {
			return nil, err
		}
		if o.Deleted() {
			return nil, fmt.Errorf("%s: %w", o.Name(), domain.ErrOrganisationDeleted)
		}
		o.Apply(&patch, mask)
		if err := o.Validate(s.ref); err != nil {
			return nil, validation.Prefix("organisation", err)
		}
		o.Revision++
		o.UpdateTime = s.now().UTC()
		ev := s.newEvent(domain.OrganisationUpdated, o.Name())
		ev.Organisation, ev.UpdateMask = o, mask
		return ev, nil
	})
	if err != nil {
		return nil, fmt.Errorf("update organisations/%s: %w", id, err)
	}
	return updated, nil
}

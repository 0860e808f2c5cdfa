package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/directory/internal/domain"
)

// UndeleteOrganisation restores a soft-deleted organisation, if etag (when given) still matches.
func (s *Service) UndeleteOrganisation(ctx context.Context, id, etag string) (*domain.Organisation, error) {
	restored, err := s.repo.UpdateOrganisation(ctx, id, func(o *domain.Organisation) (*domain.Event, error) {
		if err := resource.CheckEtag(etag, o.Etag()); err != nil {
			return nil, err
		}
		if err := o.Undelete(s.now().UTC()); err != nil {
			return nil, err
		}
		ev := s.newEvent(domain.OrganisationUndeleted, o.Name())
		ev.Organisation = o
		return ev, nil
	})
	if err != nil {
		return nil, fmt.Errorf("undelete organisations/%s: %w", id, err)
	}
	return restored, nil
}

package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/directory/internal/domain"
)

// DeleteOrganisation soft-deletes an organisation no member belongs to, if etag (when given)
// still matches, and returns it with its delete time. Other services' records that name it keep
// resolving it; no new one may (Organisation.CheckReferable). It is never purged.
func (s *Service) DeleteOrganisation(ctx context.Context, id, etag string) (*domain.Organisation, error) {
	deleted, err := s.repo.DeleteOrganisation(ctx, id, func(o *domain.Organisation, members int) (*domain.Event, error) {
		if err := resource.CheckEtag(etag, o.Etag()); err != nil {
			return nil, err
		}
		if err := o.Delete(s.now().UTC(), members); err != nil {
			return nil, err
		}
		ev := s.newEvent(domain.OrganisationDeleted, o.Name())
		ev.Organisation = o
		return ev, nil
	})
	if err != nil {
		return nil, fmt.Errorf("delete organisations/%s: %w", id, err)
	}
	return deleted, nil
}

package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/services/directory/internal/domain"
)

// DeleteOrganisation deletes an organisation no member belongs to, if etag (when given) still
// matches.
func (s *Service) DeleteOrganisation(ctx context.Context, id, etag string) error {
	err := s.repo.DeleteOrganisation(ctx, id, func(o *domain.Organisation, members int) (*domain.Event, error) {
		if err := domain.CheckEtag(etag, o.Etag()); err != nil {
			return nil, err
		}
		if members > 0 {
			return nil, fmt.Errorf("%d members: %w", members, domain.ErrHasMembers)
		}
		return s.newEvent(domain.OrganisationDeleted, o.Name()), nil
	})
	if err != nil {
		return fmt.Errorf("delete organisations/%s: %w", id, err)
	}
	return nil
}

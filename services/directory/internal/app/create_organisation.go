package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/directory/internal/domain"
)

// CreateOrganisation validates o and stores it with its "created" event. With a request_id
// already used for the same request (its key travels in ctx), it returns the organisation
// created then and changes nothing.
func (s *Service) CreateOrganisation(ctx context.Context, o domain.Organisation) (*domain.Organisation, error) {
	if err := resource.NewID(&o.ID, "org-", s.ids, "organisation_id"); err != nil {
		return nil, err
	}
	if err := o.Validate(s.ref); err != nil {
		return nil, validation.Prefix("organisation", err)
	}
	now := s.now().UTC()
	o.CreateTime, o.UpdateTime, o.Revision = now, now, 1
	ev := s.newEvent(domain.OrganisationCreated, o.Name())
	ev.Organisation = &o
	created, _, err := s.repo.CreateOrganisation(ctx, &o, ev)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", o.Name(), err)
	}
	return created, nil
}

package app

import (
	"context"
	"fmt"
	"slices"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/directory/internal/domain"
)

// UpdateMember changes the fields of mask, if the actor may edit the member's network and etag
// (when given) still matches. A member stays in its network: moving someone to another network
// is a delete and a create.
func (s *Service) UpdateMember(ctx context.Context, actor domain.Actor, network, id string, patch domain.Member, mask []string, etag string) (*domain.Member, error) {
	name := "networks/" + network + "/members/" + id
	if !actor.CanEditNetwork(network) {
		return nil, fmt.Errorf("update %s: %w", name, resource.ErrPermissionDenied)
	}
	updated, err := s.repo.UpdateMember(ctx, network, id, func(m *domain.Member, orgOf func(string) (*domain.Organisation, error)) (*domain.Event, error) {
		if err := resource.CheckEtag(etag, m.Etag()); err != nil {
			return nil, err
		}
		m.Apply(&patch, mask)
		if err := m.Validate(); err != nil {
			return nil, validation.Prefix("member", err)
		}
		if slices.Contains(mask, "organisation") {
			org, err := orgOf(m.Organisation)
			if err != nil {
				return nil, err
			}
			if org == nil {
				return nil, validation.Field("member.organisation", fmt.Sprintf("organisations/%s does not exist", m.Organisation))
			}
			if err := org.CheckReferable(); err != nil {
				return nil, err
			}
		}
		m.Revision++
		m.UpdateTime = s.now().UTC()
		ev := s.newEvent(domain.MemberUpdated, m.Name())
		ev.Member, ev.UpdateMask = m, mask
		return ev, nil
	})
	if err != nil {
		return nil, fmt.Errorf("update %s: %w", name, err)
	}
	return updated, nil
}

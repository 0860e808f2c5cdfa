package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/directory/internal/domain"
)

// CreateMember adds a professional to a network: the actor must be allowed to edit that network
// (checked before anything is read), the network must exist, and so must the organisation, not
// deleted.
func (s *Service) CreateMember(ctx context.Context, actor domain.Actor, m domain.Member) (*domain.Member, error) {
	if !actor.CanEditNetwork(m.Network) {
		return nil, fmt.Errorf("add a member to networks/%s: %w", m.Network, resource.ErrPermissionDenied)
	}
	if !s.ref.HasNetwork(m.Network) {
		return nil, fmt.Errorf("networks/%s: %w", m.Network, domain.ErrNotFound)
	}
	if err := resource.NewID(&m.ID, "m-", s.ids, "member_id"); err != nil {
		return nil, err
	}
	if err := m.Validate(); err != nil {
		return nil, validation.Prefix("member", err)
	}
	now := s.now().UTC()
	m.CreateTime, m.UpdateTime, m.Revision = now, now, 1
	created, _, err := s.repo.CreateMember(ctx, &m, func(org *domain.Organisation) (*domain.Event, error) {
		if org == nil {
			return nil, validation.Field("member.organisation", fmt.Sprintf("organisations/%s does not exist", m.Organisation))
		}
		if err := org.CheckReferable(); err != nil {
			return nil, err
		}
		ev := s.newEvent(domain.MemberCreated, m.Name())
		ev.Member = &m
		return ev, nil
	})
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", m.Name(), err)
	}
	return created, nil
}

package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/directory/internal/domain"
)

// DeleteMember removes a member from its network, if the actor may edit that network and etag
// (when given) still matches.
func (s *Service) DeleteMember(ctx context.Context, actor domain.Actor, network, id, etag string) error {
	name := "networks/" + network + "/members/" + id
	if !actor.CanEditNetwork(network) {
		return fmt.Errorf("delete %s: %w", name, resource.ErrPermissionDenied)
	}
	err := s.repo.DeleteMember(ctx, network, id, func(m *domain.Member) (*domain.Event, error) {
		if err := resource.CheckEtag(etag, m.Etag()); err != nil {
			return nil, err
		}
		return s.newEvent(domain.MemberDeleted, m.Name()), nil
	})
	if err != nil {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	return nil
}

package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/services/directory/internal/domain"
)

// GetMember returns one member, as actor may read it (domain.Member.ShownTo).
func (s *Service) GetMember(ctx context.Context, actor domain.Actor, network, id string) (*domain.Member, error) {
	m, err := s.repo.GetMember(ctx, network, id)
	if err != nil {
		return nil, fmt.Errorf("networks/%s/members/%s: %w", network, id, err)
	}
	return m.ShownTo(actor), nil
}

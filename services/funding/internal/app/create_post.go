package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/services/funding/internal/domain"
)

// CreatePost checks a post (domain.Post.Validate), then its network and host organisation
// against the directory, and stores it. An unreachable directory stops the create: nothing is
// written on a guess.
func (s *Service) CreatePost(ctx context.Context, p domain.Post) (*domain.Post, error) {
	if err := s.newID(&p.ID, "p-", "post_id"); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkPostReferences(ctx, p.Network, p.HostOrganisation); err != nil {
		return nil, err
	}
	now := s.now()
	p.CreateTime, p.UpdateTime, p.Revision = now, now, 1
	ev := s.newEvent(domain.PostCreated)
	ev.Post = &p
	created, _, err := s.repo.CreatePost(ctx, &p, ev)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", p.Name(), err)
	}
	return created, nil
}

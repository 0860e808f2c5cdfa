package app

import (
	"context"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// ListPosts returns one page of posts.
func (s *Service) ListPosts(ctx context.Context, q domain.Query) (resource.Page[*domain.Post], error) {
	return page(q, func(q domain.Query) ([]*domain.Post, int, error) { return s.repo.ListPosts(ctx, q) },
		func(p *domain.Post) string { return p.ID })
}

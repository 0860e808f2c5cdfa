package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/services/funding/internal/domain"
)

// GetPost returns one post.
func (s *Service) GetPost(ctx context.Context, id string) (*domain.Post, error) {
	p, err := s.repo.GetPost(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("posts/%s: %w", id, err)
	}
	return p, nil
}

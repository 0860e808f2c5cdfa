package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

// GetCession returns one cession; a beneficiary's staff read only their organisation's. They
// learn nothing of the others, not even whether one exists (permission before existence): a
// missing cession is refused to them as another organisation's is.
func (s *Service) GetCession(ctx context.Context, actor domain.Actor, id string) (*domain.Cession, error) {
	c, err := s.repo.GetCession(ctx, id)
	if (err == nil && !actor.CanRead(c)) || (errors.Is(err, domain.ErrNotFound) && actor.Organisation != "") {
		err = resource.ErrPermissionDenied
	}
	if err != nil {
		return nil, fmt.Errorf("cessions/%s: %w", id, err)
	}
	return c, nil
}

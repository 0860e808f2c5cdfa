package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/services/funding/internal/domain"
)

// CreateFunder checks a funder (domain.Funder.Validate), then against the directory (an EPCI by
// SIREN, a commune by INSEE code), and stores it with its event.
func (s *Service) CreateFunder(ctx context.Context, f domain.Funder) (*domain.Funder, error) {
	if err := s.newID(&f.ID, "f-", "funder_id"); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkFunderReferential(ctx, &f); err != nil {
		return nil, err
	}
	now := s.now()
	f.CreateTime, f.UpdateTime, f.Revision = now, now, 1
	ev := s.newEvent(domain.FunderCreated)
	ev.Funder = &f
	created, _, err := s.repo.CreateFunder(ctx, &f, ev)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", f.Name(), err)
	}
	return created, nil
}

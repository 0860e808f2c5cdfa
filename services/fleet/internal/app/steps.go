package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

// The read-modify-write steps the use cases share: each runs one domain method under the
// resource's etag, bumps the revision and records the events the change names.

// transition runs one step of a cession under its etag: change moves the cession (and maybe its
// vehicle) and names the cession's event and, when the vehicle changed, the vehicle's.
func (s *Service) transition(ctx context.Context, id, etag string, change func(*domain.Cession, *domain.Vehicle) (domain.EventType, domain.EventType, error)) (*domain.Cession, error) {
	c, err := s.repo.TransitionCession(ctx, id, func(c *domain.Cession, v *domain.Vehicle) ([]*domain.Event, error) {
		if err := resource.CheckEtag(etag, c.Etag()); err != nil {
			return nil, err
		}
		previous, previousVehicle := c.State, v.State
		cessionEvent, vehicleEvent, err := change(c, v)
		if err != nil {
			return nil, err
		}
		now := s.now()
		c.Revision++
		c.UpdateTime = now
		events := []*domain.Event{s.cessionEvent(cessionEvent, c, previous)}
		if vehicleEvent != "" {
			v.Revision++
			v.UpdateTime = now
			events = append(events, s.vehicleEvent(vehicleEvent, v, previousVehicle))
		}
		return events, nil
	})
	if err != nil {
		return nil, fmt.Errorf("cessions/%s: %w", id, err)
	}
	return c, nil
}

// changeVehicle runs one change of a vehicle under its etag, bumps its revision and records the
// event the change names.
func (s *Service) changeVehicle(ctx context.Context, id, etag string, change func(*domain.Vehicle) (domain.EventType, []string, error)) (*domain.Vehicle, error) {
	v, err := s.repo.UpdateVehicle(ctx, id, func(v *domain.Vehicle) ([]*domain.Event, error) {
		if err := resource.CheckEtag(etag, v.Etag()); err != nil {
			return nil, err
		}
		previous := v.State
		t, mask, err := change(v)
		if err != nil {
			return nil, err
		}
		v.Revision++
		v.UpdateTime = s.now()
		ev := s.vehicleEvent(t, v, previous)
		ev.UpdateMask = mask
		return []*domain.Event{ev}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("vehicles/%s: %w", id, err)
	}
	return v, nil
}

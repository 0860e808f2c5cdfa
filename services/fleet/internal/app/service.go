// Package app holds the fleet service's use cases. It depends on the domain only: no SQL, no
// protobuf.
package app

import (
	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

// Service runs the fleet use cases.
type Service struct {
	repo domain.Repository
	dir  domain.Directory
	now  domain.Clock
	ids  domain.IDs
}

// New returns a Service; its clock reads time as both databases store it (resource.Clock).
func New(repo domain.Repository, dir domain.Directory, now domain.Clock, ids domain.IDs) *Service {
	return &Service{repo: repo, dir: dir, now: resource.Clock(now), ids: ids}
}

func (s *Service) vehicleEvent(t domain.EventType, v *domain.Vehicle, previous domain.VehicleState) *domain.Event {
	return &domain.Event{ID: s.ids(), Type: t, Time: s.now(), Vehicle: v, PreviousVehicleState: previous}
}

func (s *Service) cessionEvent(t domain.EventType, c *domain.Cession, previous domain.CessionState) *domain.Event {
	return &domain.Event{ID: s.ids(), Type: t, Time: s.now(), Cession: c, PreviousCessionState: previous}
}

// newID gives *id a new id with prefix when the caller chose none (resource.NewID).
func (s *Service) newID(id *string, prefix, field string) error {
	return resource.NewID(id, prefix, s.ids, field)
}

// today is the current day in France, for deadlines and for refusing dates in the future.
func (s *Service) today() domain.Date { return domain.Today(s.now()) }

// Package app holds the fleet service's use cases. It depends on the domain only: no SQL, no
// protobuf.
package app

import (
	"time"

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

// New returns a Service; times are kept in UTC to the microsecond, as both databases store them.
func New(repo domain.Repository, dir domain.Directory, now domain.Clock, ids domain.IDs) *Service {
	clock := func() time.Time { return now().UTC().Truncate(time.Microsecond) }
	return &Service{repo: repo, dir: dir, now: clock, ids: ids}
}

// Page is one page of a list.
type Page[T any] = resource.Page[T]

// page reads one page of at most limit items (resource.ReadPage).
func page[T any](limit int, list func(limit int) ([]T, int, error), key func(T) string) (Page[T], error) {
	return resource.ReadPage(limit, list, key)
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

// Package app holds the funding service's use cases, one per file. It depends on the domain only:
// no SQL, no protobuf.
package app

import (
	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// Service runs the funding use cases.
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

// newID gives *id a new id with prefix when the caller chose none (resource.NewID).
func (s *Service) newID(id *string, prefix, field string) error {
	return resource.NewID(id, prefix, s.ids, field)
}

func (s *Service) newEvent(t domain.EventType) *domain.Event {
	return &domain.Event{ID: s.ids(), Type: t, Time: s.now()}
}

// page runs a list query with one extra item to learn whether a next page exists
// (resource.ReadPage).
func page[T any](q domain.Query, list func(domain.Query) ([]T, int, error), key func(T) string) (resource.Page[T], error) {
	return resource.ReadPage(q.Limit, func(limit int) ([]T, int, error) {
		q.Limit = limit
		return list(q)
	}, key)
}

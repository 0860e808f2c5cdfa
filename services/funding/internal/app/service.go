// Package app holds the funding service's use cases, one per file. It depends on the domain only:
// no SQL, no protobuf.
package app

import (
	"time"

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

// New returns a Service. Times are kept in UTC to the microsecond, the precision both SQLite and
// PostgreSQL store.
func New(repo domain.Repository, dir domain.Directory, now domain.Clock, ids domain.IDs) *Service {
	clock := func() time.Time { return now().UTC().Truncate(time.Microsecond) }
	return &Service{repo: repo, dir: dir, now: clock, ids: ids}
}

// Page is one page of a list.
type Page[T any] = resource.Page[T]

// newID gives *id a new id with prefix when the caller chose none (resource.NewID).
func (s *Service) newID(id *string, prefix, field string) error {
	return resource.NewID(id, prefix, s.ids, field)
}

func (s *Service) newEvent(t domain.EventType) *domain.Event {
	return &domain.Event{ID: s.ids(), Type: t, Time: s.now()}
}

// page runs a list query with one extra item to learn whether a next page exists
// (resource.ReadPage).
func page[T any](q domain.Query, list func(domain.Query) ([]T, int, error), key func(T) string) (Page[T], error) {
	return resource.ReadPage(q.Limit, func(limit int) ([]T, int, error) {
		q.Limit = limit
		return list(q)
	}, key)
}

// Package app holds the funding service's use cases, one per file. It depends on the domain only:
// no SQL, no protobuf.
package app

import (
	"time"

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
type Page[T any] struct {
	Items     []T
	Total     int
	NextAfter string
}

func (s *Service) newEvent(t domain.EventType) *domain.Event {
	return &domain.Event{ID: s.ids(), Type: t, Time: s.now()}
}

// page runs a list query with one extra item to learn whether a next page exists.
func page[T any](q domain.Query, list func(domain.Query) ([]T, int, error), key func(T) string) (Page[T], error) {
	limit := max(q.Limit, 1)
	q.Limit = limit + 1
	items, total, err := list(q)
	if err != nil {
		return Page[T]{}, err
	}
	p := Page[T]{Items: items, Total: total}
	if len(items) > limit {
		p.Items = items[:limit]
		p.NextAfter = key(items[limit-1])
	}
	return p, nil
}

// Package app holds the directory's use cases, one per file. It depends on the domain and the
// referential data only: no SQL, no protobuf.
package app

import (
	"time"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/directory/internal/domain"
	"github.com/vif71/vif/services/directory/internal/refdata"
)

// Service runs the directory's use cases.
type Service struct {
	repo domain.Repository
	ref  *refdata.Referential
	now  domain.Clock
	ids  domain.IDs
}

// New returns a Service over repo and the referential ref, with an injected clock and id source.
// Times are kept in UTC to the microsecond, the precision both SQLite and PostgreSQL store, so
// that what a write returns equals what a later read returns.
func New(repo domain.Repository, ref *refdata.Referential, now domain.Clock, ids domain.IDs) *Service {
	clock := func() time.Time { return now().UTC().Truncate(time.Microsecond) }
	return &Service{repo: repo, ref: ref, now: clock, ids: ids}
}

// Page is one page of a list: its items, how many match in all, and the key to resume after
// (empty on the last page).
type Page[T any] = resource.Page[T]

// referential adapts refdata to the domain's port.
type referential struct{ *refdata.Referential }

func (r referential) HasCommune(code string) bool { _, ok := r.Commune(code); return ok }
func (r referential) HasNetwork(id string) bool   { _, ok := r.Network(id); return ok }

func (s *Service) newEvent(t domain.EventType, name string) *domain.Event {
	return &domain.Event{ID: s.ids(), Type: t, Time: s.now().UTC(), Name: name}
}

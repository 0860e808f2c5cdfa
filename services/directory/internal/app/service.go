// Package app holds the directory's use cases, one per file. It depends on the domain and the
// referential data only: no SQL, no protobuf.
package app

import (
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

// New returns a Service over repo and the referential ref, with an injected clock (read as the
// databases store time: resource.Clock) and id source.
func New(repo domain.Repository, ref *refdata.Referential, now domain.Clock, ids domain.IDs) *Service {
	return &Service{repo: repo, ref: ref, now: resource.Clock(now), ids: ids}
}

func (s *Service) newEvent(t domain.EventType, name string) *domain.Event {
	return &domain.Event{ID: s.ids(), Type: t, Time: s.now().UTC(), Name: name}
}

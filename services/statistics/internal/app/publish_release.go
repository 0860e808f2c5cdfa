package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// publishAttempts bounds how often a publication starts again when another one took its number
// meanwhile: each attempt protects the state against the releases recorded by then.
const publishAttempts = 3

// PublishRelease publishes a year's figures (admins only): the year's current state, every
// network's latest reports, protected against every earlier release of the year, becomes its
// next release, recorded with its pattern and its event in one transaction; readers not
// entitled to raw figures are answered from it until the next publication. Nothing changed
// since the latest release: ErrNothingToPublish; a state that cannot be protected:
// ErrUnpublishable; in both cases nothing is written. A retry with the same request_id (its key
// travels in ctx) returns the release it recorded. Two admins publishing at once: one records
// the release, the other finds nothing to publish, or publishes what changed after as the next.
func (s *Service) PublishRelease(ctx context.Context, actor domain.Actor, year int) (*domain.Release, error) {
	if !actor.SeesAllRaw() {
		return nil, fmt.Errorf("%w: only an admin publishes the figures", resource.ErrPermissionDenied)
	}
	if year < domain.FirstYear || year > s.now().Year() {
		return nil, validation.Field("parent", fmt.Sprintf("years/%d: must be from %d to this year", year, domain.FirstYear))
	}
	for attempt := 1; ; attempt++ {
		r, err := s.publishOnce(ctx, actor, year)
		if errors.Is(err, domain.ErrReleaseTaken) && attempt < publishAttempts {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("years/%d/releases: %w", year, err)
		}
		return r, nil
	}
}

// publishOnce computes the year's next release from what is stored now and records it.
func (s *Service) publishOnce(ctx context.Context, actor domain.Actor, year int) (*domain.Release, error) {
	reports, err := s.repo.LatestReports(ctx, "", year, year)
	if err != nil {
		return nil, err
	}
	hist, err := s.repo.Releases(ctx, year)
	if err != nil {
		return nil, err
	}
	p := domain.NewPublisher(reports, nil, s.threshold, actor).UseCache(s.patterns)
	next, refusal := p.NextRelease(ctx, year, hist)
	if refusal != nil && !errors.Is(refusal, domain.ErrNothingToPublish) && !errors.Is(refusal, domain.ErrUnpublishable) {
		return nil, refusal
	}
	var rel *domain.Release
	if refusal == nil {
		next.PublishTime = s.now()
		rel = &next
	}
	stored, _, err := s.repo.PublishRelease(ctx, year, rel, refusal, func(r *domain.Release) []*domain.Event {
		info := &domain.Release{Year: r.Year, Number: r.Number, PublishTime: r.PublishTime}
		return []*domain.Event{{ID: s.ids(), Type: domain.ReleasePublished, Time: r.PublishTime, Release: info}}
	})
	return stored, err
}

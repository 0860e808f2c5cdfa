package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/vif71/vif/services/statistics/internal/domain"
)

var publishCases = []contractCase{
	{"a publication records the release with its pattern, its publish time and its event in one transaction", publicationRecordsReleaseAndEvent},
	{"a refused publication, or a taken number, writes neither a release nor an event", refusedPublicationWritesNothing},
	{"a retried request id returns the release it recorded, even when nothing is left to publish", retriedPublicationReturnsItsRelease},
	{"the years with a release are listed once each, in order, within the range asked", releasedYearsAreListed},
}

// releaseRequest is the context of a PublishRelease call with requestID for year.
func releaseRequest(requestID string, year int) context.Context {
	return keyed(requestID, "/vif.statistics.v1.StatisticsService/PublishRelease", fmt.Sprintf("years/%d", year), "")
}

// nextRelease is release n of 2024 with figures that differ with n, and a pattern.
func (f *fixture) nextRelease(n int) *domain.Release {
	p := domain.MonthPeriod(2024, 3)
	r := &domain.Release{Year: 2024, Number: n, PublishTime: f.now().In(fixedParis),
		Figures: map[string]domain.Figures{"chalonnais": {p: {Counts: f.report("chalonnais", p, int64(n)).Counts}}},
		Hidden:  []string{}}
	if n > 1 {
		r.Hidden = []string{"0/chalonnais/0/0/2024-03"}
	}
	r.Digest[0] = byte(n)
	return r
}

// publish records r under requestID, which must create it, and returns what the store returned.
func (f *fixture) publish(t *testing.T, r *domain.Release, requestID string) *domain.Release {
	t.Helper()
	var events []*domain.Event
	got, created, err := f.repo.PublishRelease(releaseRequest(requestID, r.Year), r.Year, r, nil, f.releaseEvents(&events))
	if err != nil || !created {
		t.Fatalf("PublishRelease(%d) = created %v, %v; want created, nil", r.Number, created, err)
	}
	f.wrote(events...)
	return got
}

func (f *fixture) releaseEvents(into *[]*domain.Event) func(*domain.Release) []*domain.Event {
	return func(r *domain.Release) []*domain.Event {
		ev := f.event(domain.ReleasePublished)
		ev.Release = &domain.Release{Year: r.Year, Number: r.Number, PublishTime: r.PublishTime}
		*into = append(*into, ev)
		return []*domain.Event{ev}
	}
}

func publicationRecordsReleaseAndEvent(t *testing.T, f *fixture) {
	ctx := context.Background()
	var want []*domain.Release
	for n := 1; n <= 3; n++ {
		want = append(want, f.publish(t, f.nextRelease(n), ""))
	}
	last, ok, err := f.repo.LastRelease(ctx, 2024)
	if err != nil || !ok || last.Number != 3 || !last.PublishTime.Equal(want[2].PublishTime) || last.PublishTime.Location().String() != "UTC" ||
		!slices.Equal(last.Hidden, want[2].Hidden) || fmt.Sprint(last.Figures) != fmt.Sprint(want[2].Figures) {
		t.Errorf("LastRelease(2024) = %+v, %v, %v; want release 3 as published, in UTC", last, ok, err)
	}
	if _, ok, err := f.repo.LastRelease(ctx, 2023); ok || err != nil {
		t.Errorf("LastRelease(2023) = %v, %v; want none", ok, err)
	}
	first, err := f.repo.Releases(ctx, 2024)
	if err != nil || len(first) != 3 || first[0].Hidden == nil || len(first[0].Hidden) != 0 {
		t.Errorf("Releases(2024) = %d, %v, release 1's pattern %#v; want 3, the first with its (empty) pattern recorded", len(first), err, first[0].Hidden)
	}
	page, err := f.repo.ListReleases(ctx, 2024, 1, 1)
	if err != nil || len(page) != 1 || page[0].Number != 2 || !page[0].PublishTime.Equal(want[1].PublishTime) || page[0].Figures != nil {
		t.Errorf("ListReleases(2024, after 1, 1) = %+v, %v; want release 2 alone, without figures", page, err)
	}
	if n := f.count(t, "outbox", "subject = $1", subjectPrefix+string(domain.ReleasePublished)); n != 3 {
		t.Errorf("release.published events = %d; want 3", n)
	}
}

func refusedPublicationWritesNothing(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.publish(t, f.nextRelease(1), "")
	var events []*domain.Event
	for _, tt := range []struct {
		what    string
		next    *domain.Release
		refusal error
		want    error
	}{
		{"nothing to publish", nil, domain.ErrNothingToPublish, domain.ErrNothingToPublish},
		{"unpublishable", nil, domain.ErrUnpublishable, domain.ErrUnpublishable},
		{"a taken number", f.nextRelease(1), nil, domain.ErrReleaseTaken},
		{"a number that does not follow", f.nextRelease(3), nil, domain.ErrReleaseTaken},
	} {
		got, created, err := f.repo.PublishRelease(releaseRequest("8d2c1f0e-0000-4000-8000-00000000000"+fmt.Sprint(len(events)), 2024), 2024, tt.next, tt.refusal, f.releaseEvents(&events))
		if !errors.Is(err, tt.want) || created || got != nil {
			t.Errorf("%s: PublishRelease = %v, %v, %v; want %v", tt.what, got, created, err, tt.want)
		}
	}
	if n := f.count(t, "releases", "year = $1", 2024); n != 1 {
		t.Errorf("%d releases after the refusals; want 1", n)
	}
	if n := f.count(t, "idempotency_keys", "TRUE"); n != 0 {
		t.Errorf("the refusals spent %d request ids; want none", n)
	}
	if n, _, err := f.repo.LatestRelease(ctx, 2024); n != 1 || err != nil {
		t.Errorf("LatestRelease = %d, %v; want 1", n, err)
	}
}

func retriedPublicationReturnsItsRelease(t *testing.T, f *fixture) {
	const rid = "3f6b8f0a-5b7e-4c1d-9e2a-7d4c3b2a1f00"
	first := f.publish(t, f.nextRelease(1), rid)
	var events []*domain.Event
	for _, tt := range []struct {
		what    string
		next    *domain.Release
		refusal error
	}{
		{"nothing left to publish", nil, domain.ErrNothingToPublish},
		{"the figures changed since", f.nextRelease(2), nil},
	} {
		got, created, err := f.repo.PublishRelease(releaseRequest(rid, 2024), 2024, tt.next, tt.refusal, f.releaseEvents(&events))
		if err != nil || created || got.Number != 1 || got.Year != 2024 || !got.PublishTime.Equal(first.PublishTime) {
			t.Errorf("retry, %s = %+v, %v, %v; want release 1, not created", tt.what, got, created, err)
		}
	}
	if len(events) != 0 {
		t.Errorf("a retry asked for %d events; want none", len(events))
	}
	if n := f.count(t, "releases", "year = $1", 2024); n != 1 {
		t.Errorf("%d releases after the retries; want 1", n)
	}
}

func releasedYearsAreListed(t *testing.T, f *fixture) {
	ctx := context.Background()
	if years, err := f.repo.ReleasedYears(ctx, domain.FirstYear, domain.LastYear); err != nil || len(years) != 0 {
		t.Fatalf("ReleasedYears before any publication = %v, %v; want none", years, err)
	}
	for _, year := range []int{2024, 2021, 2023} {
		for n := 1; n <= 2; n++ {
			r := f.nextRelease(n)
			p := domain.MonthPeriod(year, 3)
			r.Year, r.Figures = year, map[string]domain.Figures{"chalonnais": {p: {Counts: f.report("chalonnais", p, int64(n)).Counts}}}
			f.publish(t, r, "")
		}
	}
	for _, c := range []struct {
		from, to int
		want     []int
	}{
		{domain.FirstYear, domain.LastYear, []int{2021, 2023, 2024}},
		{2022, 2023, []int{2023}},
		{2024, 2024, []int{2024}},
		{2025, domain.LastYear, nil},
	} {
		if got, err := f.repo.ReleasedYears(ctx, c.from, c.to); err != nil || !slices.Equal(got, c.want) {
			t.Errorf("ReleasedYears(%d, %d) = %v, %v; want %v", c.from, c.to, got, err, c.want)
		}
	}
}

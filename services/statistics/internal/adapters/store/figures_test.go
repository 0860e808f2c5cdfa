package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

var figureCases = []contractCase{
	{"a national figure is created, read back and listed", figureCreatedReadAndListed},
	{"a taken year is ErrAlreadyExists and writes nothing", figureTakenYearIsAlreadyExists},
	{"a retried request id returns the figure created then", figureRetriedRequestID},
	{"a figure without its events is refused", figureWithoutEventsIsRefused},
	{"national figures list by year in pages after a year, with the total", figuresListInPages},
}

// figure returns the national figure of year, created now.
func (f *fixture) figure(year int) *domain.NationalFigure {
	return &domain.NationalFigure{
		Year:         year,
		Value:        int64(200_000 + year),
		Source:       "Ministère de l'Intérieur, SSMSI",
		SourceURL:    "https://www.interieur.gouv.fr/Interstats",
		Illustrative: year%2 == 0,
		CreateTime:   f.now(),
	}
}

func (f *fixture) figureEvents(fig *domain.NationalFigure) []*domain.Event {
	ev := f.event(domain.NationalFigureCreated)
	ev.NationalFigure = fig
	return []*domain.Event{ev}
}

// createFigure stores fig, which it must create, and returns what the store returned.
func (f *fixture) createFigure(t *testing.T, fig *domain.NationalFigure, requestID string) *domain.NationalFigure {
	t.Helper()
	events := f.figureEvents(fig)
	got, created, err := f.repo.CreateNationalFigure(figureRequest(requestID, fig), fig, events)
	if err != nil || !created {
		t.Fatalf("CreateNationalFigure(%d, %q) = created %v, %v; want created, nil", fig.Year, requestID, created, err)
	}
	f.wrote(events...)
	return got
}

func figureCreatedReadAndListed(t *testing.T, f *fixture) {
	ctx := context.Background()
	fig := f.figure(2022)
	given := t0.Add(987_654_321 * time.Nanosecond).In(fixedParis)
	fig.CreateTime = given
	got := f.createFigure(t, fig, "req-1")
	if want := given.UTC().Truncate(time.Microsecond); !got.CreateTime.Equal(want) || got.CreateTime.Location() != time.UTC {
		t.Errorf("CreateNationalFigure(2022).CreateTime = %v; want %v", got.CreateTime, want)
	}
	read, err := f.repo.GetNationalFigure(ctx, 2022)
	if err != nil || !sameFigure(read, got) {
		t.Errorf("GetNationalFigure(2022) = %+v, %v; want %+v", read, err, got)
	}
	list, total, err := f.repo.ListNationalFigures(ctx, 0, 0)
	if err != nil || total != 1 || len(list) != 1 || !sameFigure(list[0], got) {
		t.Errorf("ListNationalFigures(0, 0) = %v, %d, %v; want [2022], 1", figureYears(list), total, err)
	}
	for _, year := range []int{2021, 2023, 0} {
		if fig, err := f.repo.GetNationalFigure(ctx, year); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("GetNationalFigure(%d) = %+v, %v; want ErrNotFound", year, fig, err)
		}
	}
}

func figureTakenYearIsAlreadyExists(t *testing.T, f *fixture) {
	ctx := context.Background()
	first := f.createFigure(t, f.figure(2020), "req-1")
	for _, requestID := range []string{"", "req-2"} {
		again := f.figure(2020)
		again.Value = 1
		got, created, err := f.repo.CreateNationalFigure(figureRequest(requestID, again), again, f.figureEvents(again))
		if !errors.Is(err, domain.ErrAlreadyExists) || created || got != nil {
			t.Errorf("CreateNationalFigure(2020, %q) again = %+v, created %v, %v; want ErrAlreadyExists", requestID, got, created, err)
		}
	}
	if read, err := f.repo.GetNationalFigure(ctx, 2020); err != nil || !sameFigure(read, first) {
		t.Errorf("GetNationalFigure(2020) = %+v, %v; want the first %+v", read, err, first)
	}
	// The refused request id is free.
	f.createFigure(t, f.figure(2021), "req-2")
}

func figureRetriedRequestID(t *testing.T, f *fixture) {
	first := f.createFigure(t, f.figure(2019), "req-a")
	retry := f.figure(2019)
	retry.CreateTime = retry.CreateTime.Add(time.Minute) // a retry is stamped later: not stored
	got, created, err := f.repo.CreateNationalFigure(figureRequest("req-a", retry), retry, f.figureEvents(retry))
	if err != nil || created || !sameFigure(got, first) {
		t.Errorf("CreateNationalFigure(2019, %q) again = %+v, created %v, %v; want the first %+v, not created", "req-a", got, created, err, first)
	}
	// The same request id with another request (another value, another year) is refused.
	for _, year := range []int{2019, 2018} {
		other := f.figure(year)
		other.Value = 7
		got, created, err := f.repo.CreateNationalFigure(figureRequest("req-a", other), other, f.figureEvents(other))
		if !errors.Is(err, idempotency.ErrRequestIDReused) || created || got != nil {
			t.Errorf("CreateNationalFigure(%d, %q, another value) = %+v, created %v, %v; want ErrRequestIDReused", year, "req-a", got, created, err)
		}
	}
	if n := f.count(t, "national_figures", ""); n != 1 {
		t.Errorf("national figure rows = %d; want 1", n)
	}
}

func figureWithoutEventsIsRefused(t *testing.T, f *fixture) {
	ctx := context.Background()
	fig := f.figure(2017)
	for _, events := range [][]*domain.Event{nil, {}, {f.figureEvents(fig)[0], nil}} {
		if got, created, err := f.repo.CreateNationalFigure(ctx, fig, events); err == nil || created {
			t.Errorf("CreateNationalFigure(2017) with %d events = %+v, created %v, %v; want an error", len(events), got, created, err)
		}
	}
	if fig, err := f.repo.GetNationalFigure(ctx, 2017); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("GetNationalFigure(2017) after refusals = %+v, %v; want ErrNotFound", fig, err)
	}
}

func figuresListInPages(t *testing.T, f *fixture) {
	ctx := context.Background()
	years := []int{2019, 2015, 2024, 2016, 2021, 2018, 2023, 2017, 2022, 2020}
	for _, y := range years {
		f.createFigure(t, f.figure(y), "")
	}
	sorted := slices.Sorted(slices.Values(years))
	tests := []struct {
		after, limit int
		want         []int
	}{
		{0, 0, sorted},
		{0, 3, sorted[:3]},
		{2017, 3, sorted[3:6]},
		{2022, 3, sorted[8:]},
		{2024, 3, nil},
		{1990, 0, sorted},
		{2019, 0, sorted[5:]},
	}
	for _, tt := range tests {
		got, total, err := f.repo.ListNationalFigures(ctx, tt.after, tt.limit)
		if err != nil || total != len(years) || !slices.Equal(figureYears(got), tt.want) {
			t.Errorf("ListNationalFigures(%d, %d) = %v, %d, %v; want %v, %d", tt.after, tt.limit, figureYears(got), total, err, tt.want, len(years))
		}
	}
}

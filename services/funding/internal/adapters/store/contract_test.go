package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/vif71/vif/platform/storage/storagetest"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// errRefused is what the tests' closures return to refuse a change.
var errRefused = errors.New("refused by the closure")

type contractCase struct {
	name string
	run  func(t *testing.T, f *fixture)
}

// TestRepositoryContract runs every case of the repository's contract against each engine
// storagetest offers, on a fresh database per case, through the domain.Repository interface.
// Every case ends by checking the outbox against the writes that succeeded.
func TestRepositoryContract(t *testing.T) {
	var cases []contractCase
	cases = append(cases, funderCases...)
	cases = append(cases, postCases...)
	cases = append(cases, planCases...)
	cases = append(cases, agreementCases...)
	cases = append(cases, contributionCases...)
	cases = append(cases, reportCases...)
	cases = append(cases,
		contractCase{"unknown filter keys and malformed resume keys are errors", unknownFiltersAreErrors},
		contractCase{"seeded is false until marked and marking twice is harmless", seededAndMarkSeeded},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each case has its own databases
			for _, d := range storagetest.Databases(t) {
				t.Run(d.Name, func(t *testing.T) {
					f := newFixture(t, d.DB)
					tc.run(t, f)
					f.checkOutbox(t)
				})
			}
		})
	}
}

// lister is one of the repository's List methods.
type lister[T any] func(context.Context, domain.Query) ([]T, int, error)

// listTest is one query of a list and what it should give.
type listTest struct {
	q         domain.Query
	want      []string
	wantTotal int
}

// checkList runs tests against list, comparing the keys of what it returns.
func checkList[T any](t *testing.T, what string, list lister[T], key func([]T) []string, tests []listTest) {
	t.Helper()
	for _, tt := range tests {
		got, total, err := list(context.Background(), tt.q)
		if err != nil {
			t.Errorf("%s(%+v) = %v", what, tt.q, err)
			continue
		}
		if !slices.Equal(key(got), tt.want) || total != tt.wantTotal {
			t.Errorf("%s(%+v) = %q, total %d; want %q, total %d", what, tt.q, key(got), total, tt.want, tt.wantTotal)
		}
	}
}

// pageThrough reads every page of size limit, resuming after the last key of each, and checks
// that the pages visit want in order, each once, and that every page counts all of them.
func pageThrough[T any](t *testing.T, what string, list lister[T], key func([]T) []string, filters map[string]string, limit int, want []string) {
	t.Helper()
	var seen []string
	var sizes, wantSizes []int
	for n := len(want); n > 0; n -= limit {
		wantSizes = append(wantSizes, min(n, limit))
	}
	after := ""
	for range len(want) + 2 {
		q := domain.Query{Filters: filters, After: after, Limit: limit}
		page, total, err := list(context.Background(), q)
		if err != nil {
			t.Fatalf("%s(%+v) = %v", what, q, err)
		}
		if total != len(want) {
			t.Errorf("%s(%+v) total = %d; want %d", what, q, total, len(want))
		}
		keys := key(page)
		seen = append(seen, keys...)
		if len(page) > 0 {
			sizes = append(sizes, len(page))
		}
		if len(page) < limit {
			break
		}
		after = keys[len(keys)-1]
	}
	if !slices.Equal(seen, want) || !slices.Equal(sizes, wantSizes) {
		t.Errorf("%s pages of %d = %q in pages of %v; want %q in pages of %v", what, limit, seen, sizes, want, wantSizes)
	}
}

func unknownFiltersAreErrors(t *testing.T, f *fixture) {
	ctx := context.Background()
	bad := domain.Query{Filters: map[string]string{"colour": "blue"}, Limit: 10}
	checks := []struct {
		name string
		run  func(domain.Query) error
	}{
		{"ListFunders", func(q domain.Query) error { _, _, err := f.repo.ListFunders(ctx, q); return err }},
		{"ListPosts", func(q domain.Query) error { _, _, err := f.repo.ListPosts(ctx, q); return err }},
		{"ListPlans", func(q domain.Query) error { _, _, err := f.repo.ListPlans(ctx, q); return err }},
		{"ListAgreements", func(q domain.Query) error { _, _, err := f.repo.ListAgreements(ctx, q); return err }},
		{"ListContributions", func(q domain.Query) error { _, _, err := f.repo.ListContributions(ctx, q); return err }},
	}
	for _, c := range checks {
		if err := c.run(bad); err == nil {
			t.Errorf("%s(%+v) = nil error; want an error for the unknown filter", c.name, bad)
		}
		// Each list knows one of these at most: a filter of another list is no more valid.
		mixed := domain.Query{Filters: map[string]string{"host_organisation": "x", "kind": "EPCI"}, Limit: 10}
		if err := c.run(mixed); err == nil {
			t.Errorf("%s(%+v) = nil error; want an error", c.name, mixed)
		}
	}
	for _, q := range []domain.Query{
		{Filters: map[string]string{"year": "twenty"}, Limit: 10},
		{After: "no-year", Limit: 10},
		{After: "post/20x4", Limit: 10},
	} {
		if _, _, err := f.repo.ListPlans(ctx, q); err == nil {
			t.Errorf("ListPlans(%+v) = nil error; want an error", q)
		}
	}
	if _, _, err := f.repo.ListContributions(ctx, domain.Query{After: "no-funder", Limit: 10}); err == nil {
		t.Errorf("ListContributions(After %q) = nil error; want an error", "no-funder")
	}
	// Empty values do not filter.
	if _, total, err := f.repo.ListAgreements(ctx, domain.Query{Filters: map[string]string{"state": "", "year": ""}}); err != nil || total != 0 {
		t.Errorf("ListAgreements(empty filters) = total %d, %v; want 0, nil", total, err)
	}
}

func seededAndMarkSeeded(t *testing.T, f *fixture) {
	ctx := context.Background()
	if done, err := f.repo.Seeded(ctx, "seed-a"); done || err != nil {
		t.Fatalf("Seeded(%q) before marking = %v, %v; want false, nil", "seed-a", done, err)
	}
	for range 2 {
		if err := f.repo.MarkSeeded(ctx, "seed-a", f.now()); err != nil {
			t.Fatalf("MarkSeeded(%q) = %v", "seed-a", err)
		}
	}
	tests := []struct {
		name string
		want bool
	}{{"seed-a", true}, {"seed-b", false}}
	for _, tt := range tests {
		if done, err := f.repo.Seeded(ctx, tt.name); done != tt.want || err != nil {
			t.Errorf("Seeded(%q) = %v, %v; want %v, nil", tt.name, done, err, tt.want)
		}
	}
}

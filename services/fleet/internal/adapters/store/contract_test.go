package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/vif71/vif/platform/storage/storagetest"
	"github.com/vif71/vif/services/fleet/internal/domain"
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
	cases := slices.Concat(vehicleCases, vehicleRuleCases, cessionCases, listCases, concurrencyCases, []contractCase{
		{"unknown filter keys and malformed days are errors", unknownFiltersAreErrors},
		{"seeded is false until marked and marking twice is harmless", seededAndMarkSeeded},
	})
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
type lister[Q, T any] func(context.Context, Q) ([]T, int, error)

// listTest is one query of a list and what it should give.
type listTest[Q any] struct {
	q         Q
	want      []string
	wantTotal int
}

// checkList runs tests against list, comparing the keys of what it returns.
func checkList[Q, T any](t *testing.T, what string, list lister[Q, T], key func([]T) []string, tests []listTest[Q]) {
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
func pageThrough[Q, T any](t *testing.T, what string, list lister[Q, T], key func([]T) []string,
	query func(after string, limit int) Q, limit int, want []string) {
	t.Helper()
	var seen []string
	var sizes, wantSizes []int
	for n := len(want); n > 0; n -= limit {
		wantSizes = append(wantSizes, min(n, limit))
	}
	after := ""
	for range len(want) + 2 {
		q := query(after, limit)
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
	for _, filters := range []map[string]string{
		{"colour": "blue"},
		{"beneficiary": "org-a"}, // a cession filter
	} {
		q := domain.Query{Filters: filters, Limit: 10}
		if _, _, err := f.repo.ListVehicles(ctx, q); err == nil {
			t.Errorf("ListVehicles(%+v) = nil error; want an error", q)
		}
	}
	for _, q := range []domain.CessionQuery{
		{Query: domain.Query{Filters: map[string]string{"colour": "blue"}}},
		{Query: domain.Query{Filters: map[string]string{"make": "Renault"}}}, // a vehicle filter
		{HandedOverFrom: "2026-13-01"},
		{HandedOverTo: "01/02/2026"},
		{OverdueOn: "tomorrow"},
	} {
		if _, _, err := f.repo.ListCessions(ctx, q); err == nil {
			t.Errorf("ListCessions(%+v) = nil error; want an error", q)
		}
	}
	for _, days := range [][2]domain.Date{{"2026-02-30", "2026-03-01"}, {"2026-01-01", "2026"}} {
		if _, err := f.repo.CountHandedOver(ctx, days[0], days[1]); err == nil {
			t.Errorf("CountHandedOver(%q, %q) = nil error; want an error", days[0], days[1])
		}
	}
	// Empty values do not filter.
	if _, total, err := f.repo.ListVehicles(ctx, domain.Query{Filters: map[string]string{"state": "", "make": ""}}); err != nil || total != 0 {
		t.Errorf("ListVehicles(empty filters) = total %d, %v; want 0, nil", total, err)
	}
	if _, total, err := f.repo.ListCessions(ctx, domain.CessionQuery{Query: domain.Query{Filters: map[string]string{"state": ""}}}); err != nil || total != 0 {
		t.Errorf("ListCessions(empty filters) = total %d, %v; want 0, nil", total, err)
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

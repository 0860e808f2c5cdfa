package store_test

import (
	"context"
	"maps"
	"testing"

	"github.com/vif71/vif/services/fleet/internal/domain"
)

var listCases = []contractCase{
	{"list cessions filters, windows on the handover day, finds the overdue and pages in id order", listCessions},
	{"count handed over counts the handovers between two days, inclusive, by beneficiary kind", countHandedOver},
}

// cessionSpread stores six cessions in every kind of state, created out of id order:
//
//	c-1 v-1 org-a ISCG          handed over 2026-02-01, declared (deadline 2026-02-16)
//	c-2 v-2 org-b PLIE          handed over 2026-02-10 (deadline 2026-02-25)
//	c-3 v-3 org-a ISCG          handed over 2026-03-01 (deadline 2026-03-16)
//	c-4 v-4 org-c ASSOCIATION   approved
//	c-5 v-5 org-b PLIE          proposed
//	c-6 v-6 org-c ASSOCIATION   cancelled
func (f *fixture) cessionSpread(t *testing.T) {
	t.Helper()
	specs := []struct {
		id, vehicle, beneficiary, kind string
		steps                          []step
	}{
		{"c-4", "v-4", "org-c", "ASSOCIATION", []step{approve("2026-01-10")}},
		{"c-2", "v-2", "org-b", "PLIE", []step{approve("2026-01-10"), handOver("2026-02-10", 120000)}},
		{"c-6", "v-6", "org-c", "ASSOCIATION", []step{cancel("2026-01-15")}},
		{"c-1", "v-1", "org-a", "ISCG", []step{approve("2026-01-10"), handOver("2026-02-01", 98000), declare("2026-02-10")}},
		{"c-5", "v-5", "org-b", "PLIE", nil},
		{"c-3", "v-3", "org-a", "ISCG", []step{approve("2026-01-10"), handOver("2026-03-01", 143000)}},
	}
	for _, s := range specs {
		f.register(t, f.vehicle(s.vehicle, domain.Retired))
		f.propose(t, f.cession(s.id, s.vehicle, s.beneficiary, s.kind))
		for _, st := range s.steps {
			f.transition(t, s.id, st)
		}
	}
}

func listCessions(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.cessionSpread(t)
	filtered := func(filters map[string]string) domain.CessionQuery {
		return domain.CessionQuery{Query: domain.Query{Filters: filters, Limit: 10}}
	}
	window := func(from, to domain.Date, filters map[string]string) domain.CessionQuery {
		q := filtered(filters)
		q.HandedOverFrom, q.HandedOverTo = from, to
		return q
	}
	overdue := func(day domain.Date, filters map[string]string) domain.CessionQuery {
		q := filtered(filters)
		q.OverdueOn = day
		return q
	}
	list := lister[domain.CessionQuery, *domain.Cession](f.repo.ListCessions)
	checkList(t, "ListCessions", list, cessionIDs, []listTest[domain.CessionQuery]{
		{filtered(nil), []string{"c-1", "c-2", "c-3", "c-4", "c-5", "c-6"}, 6},
		{domain.CessionQuery{}, []string{"c-1", "c-2", "c-3", "c-4", "c-5", "c-6"}, 6}, // no limit: every row
		{filtered(map[string]string{"state": "HANDED_OVER"}), []string{"c-2", "c-3"}, 2},
		{filtered(map[string]string{"beneficiary": "org-a"}), []string{"c-1", "c-3"}, 2},
		{filtered(map[string]string{"beneficiary_kind": "PLIE"}), []string{"c-2", "c-5"}, 2},
		{filtered(map[string]string{"vehicle": "v-4"}), []string{"c-4"}, 1},
		{filtered(map[string]string{"state": "PROPOSED", "beneficiary_kind": "PLIE"}), []string{"c-5"}, 1},
		{filtered(map[string]string{"state": "REJECTED"}), nil, 0},

		// The window is inclusive at both ends; an empty bound is open.
		{window("2026-02-01", "2026-02-10", nil), []string{"c-1", "c-2"}, 2},
		{window("2026-02-02", "", nil), []string{"c-2", "c-3"}, 2},
		{window("", "2026-02-10", nil), []string{"c-1", "c-2"}, 2},
		{window("2026-02-11", "2026-02-28", nil), nil, 0},
		{window("2026-01-01", "2026-12-31", map[string]string{"beneficiary_kind": "ISCG"}), []string{"c-1", "c-3"}, 2},

		// Overdue: handed over, not declared, the deadline strictly before the day.
		{overdue("2026-02-25", nil), nil, 0},
		{overdue("2026-02-26", nil), []string{"c-2"}, 1},
		{overdue("2026-03-17", nil), []string{"c-2", "c-3"}, 2},
		{overdue("2026-03-17", map[string]string{"beneficiary": "org-a"}), []string{"c-3"}, 1},

		// The total ignores the resume key.
		{domain.CessionQuery{Query: domain.Query{Filters: map[string]string{"state": "HANDED_OVER"}, After: "c-2", Limit: 10}}, []string{"c-3"}, 2},
		{domain.CessionQuery{Query: domain.Query{After: "c-3", Limit: 2}}, []string{"c-4", "c-5"}, 6},
	})
	for _, limit := range []int{1, 4} {
		pageThrough(t, "ListCessions", list, cessionIDs, func(after string, limit int) domain.CessionQuery {
			return domain.CessionQuery{Query: domain.Query{After: after, Limit: limit}}
		}, limit, []string{"c-1", "c-2", "c-3", "c-4", "c-5", "c-6"})
	}
	pageThrough(t, "ListCessions(window)", list, cessionIDs, func(after string, limit int) domain.CessionQuery {
		return domain.CessionQuery{Query: domain.Query{After: after, Limit: limit}, HandedOverFrom: "2026-01-01", HandedOverTo: "2026-12-31"}
	}, 2, []string{"c-1", "c-2", "c-3"})

	// What a list gives is what a get gives, and the overdue ones are those the domain calls so.
	all, _, err := f.repo.ListCessions(ctx, domain.CessionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		if read, err := f.repo.GetCession(ctx, c.ID); err != nil || !sameCession(c, read) {
			t.Errorf("listed %+v; GetCession = %+v, %v", c, read, err)
		}
	}
	for _, day := range []domain.Date{"2026-02-16", "2026-02-17", "2026-02-25", "2026-02-26", "2026-03-16", "2026-03-17"} {
		var want []string
		for _, c := range all {
			if c.Overdue(day) {
				want = append(want, c.ID)
			}
		}
		checkList(t, "ListCessions", list, cessionIDs, []listTest[domain.CessionQuery]{{overdue(day, nil), want, len(want)}})
	}
}

func countHandedOver(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.cessionSpread(t)
	tests := []struct {
		from, to domain.Date
		want     map[string]int
	}{
		{"2026-01-01", "2026-12-31", map[string]int{"ISCG": 2, "PLIE": 1}},
		{"2026-02-01", "2026-02-10", map[string]int{"ISCG": 1, "PLIE": 1}}, // both ends count
		{"2026-02-02", "2026-02-28", map[string]int{"PLIE": 1}},
		{"2026-03-01", "2026-03-01", map[string]int{"ISCG": 1}},
		{"2026-04-01", "2026-04-30", map[string]int{}},
	}
	for _, tt := range tests {
		got, err := f.repo.CountHandedOver(ctx, tt.from, tt.to)
		if err != nil || !maps.Equal(got, tt.want) {
			t.Errorf("CountHandedOver(%q, %q) = %v, %v; want %v", tt.from, tt.to, got, err, tt.want)
		}
	}
}

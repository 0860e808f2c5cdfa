package attack

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/vif71/vif/services/statistics/internal/domain/disclosure"
)

// exhaustive computes the integer feasible interval of every hidden cell by trying every
// assignment of the hidden cells from 0 to limit: the exact answer of an attacker who uses
// integrality too, for tables small enough to enumerate. An upper bound that grows with limit
// means that nothing published bounds the cell.
func exhaustive(t disclosure.Table, known []bool, limit int64) []Interval {
	var hidden []int
	for i := range t.Cells {
		if !known[i] {
			hidden = append(hidden, i)
		}
	}
	out := make([]Interval, len(t.Cells))
	seen := make([]bool, len(t.Cells))
	x := append([]int64(nil), t.Cells...)
	var walk func(k int)
	walk = func(k int) {
		if k == len(hidden) {
			for _, r := range t.Relations {
				s := x[r.Total]
				for _, p := range r.Parts {
					s -= x[p]
				}
				if s != 0 {
					return
				}
			}
			for i := range x {
				if !seen[i] {
					out[i], seen[i] = Interval{Lo: x[i], Hi: x[i]}, true
				}
				out[i].Lo, out[i].Hi = min(out[i].Lo, x[i]), max(out[i].Hi, x[i])
			}
			return
		}
		for v := int64(0); v <= limit; v++ {
			x[hidden[k]] = v
			walk(k + 1)
		}
	}
	walk(0)
	return out
}

func top(t disclosure.Table) (m int64) {
	for _, v := range t.Cells {
		m = max(m, v)
	}
	return m
}

// drawSmall draws a grid of at most 3×3 interior cells with values 0..4 and a mask hiding at
// most 5 cells, so that exhaustive search stays fast.
func drawSmall(t *rapid.T) (disclosure.Table, []bool) {
	rows := rapid.IntRange(1, 3).Draw(t, "rows")
	cols := rapid.IntRange(1, 3).Draw(t, "cols")
	values := make([][]int64, rows)
	for r := range values {
		values[r] = rapid.SliceOfN(rapid.Int64Range(0, 4), cols, cols).Draw(t, fmt.Sprint("row ", r))
	}
	tab, _ := disclosure.Grid(values)
	known := make([]bool, len(tab.Cells))
	for i := range known {
		known[i] = true
	}
	for _, i := range rapid.SliceOfNDistinct(rapid.IntRange(0, len(tab.Cells)-1), 0, 5, rapid.ID[int]).Draw(t, "hidden") {
		known[i] = false
	}
	return tab, known
}

// TestIntervalsAgreeWithExhaustiveSearch: on a two-way table (whose relations form a totally
// unimodular system, so that the linear bounds are attained by integer solutions) the linear
// programme's rounded bounds are exactly the integer bounds found by trying every assignment,
// except where no published cell bounds a hidden one: the LP says unbounded, the enumeration
// stops at its own limit (and goes further with a higher one).
func TestIntervalsAgreeWithExhaustiveSearch(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tab, known := drawSmall(t)
		got, err := Intervals(tab, known)
		if err != nil {
			t.Fatal(err)
		}
		limit := top(tab) + 2 // a bounded cell is at most the largest total
		want, further := exhaustive(tab, known, limit), exhaustive(tab, known, limit+2)
		for i := range tab.Cells {
			if got[i].Unbounded && got[i].Lo == want[i].Lo && further[i].Hi > want[i].Hi {
				continue // nothing published bounds it: the enumeration stops at its own limit
			}
			if got[i] != want[i] {
				t.Fatalf("cell %d (= %d): Intervals says %v, exhaustive search %v", i, tab.Cells[i], got[i], want[i])
			}
		}
	})
}

func TestIntervalsOfTwoSmallCountsShieldingEachOther(t *testing.T) {
	// The first finding: a total of 1,134 whose published parts sum to 1,132 leaves the
	// two hidden parts in [0, 2].
	tab := disclosure.Table{
		Cells:     []int64{1134, 1, 600, 532, 1},
		Relations: []disclosure.Relation{{Total: 0, Parts: []int{1, 2, 3, 4}}},
	}
	got, err := Intervals(tab, []bool{true, false, true, true, false})
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{1, 4} {
		if want := (Interval{Lo: 0, Hi: 2}); got[i] != want {
			t.Errorf("Intervals()[%d] = %v; want %v", i, got[i], want)
		}
	}
}

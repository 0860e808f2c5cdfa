package disclosure

import (
	"errors"
	"reflect"
	"slices"
	"testing"
)

// hiddenCells lists the hidden indexes, for readable comparisons.
func hiddenCells(hidden []bool) []int {
	var out []int
	for i, h := range hidden {
		if h {
			out = append(out, i)
		}
	}
	return out
}

func mustProtect(t *testing.T, tab Table, threshold int64) []bool {
	t.Helper()
	hidden, err := Protect(tab, threshold)
	if err != nil {
		t.Fatalf("Protect: %v", err)
	}
	if d := Derivable(tab, hidden); len(d) != 0 {
		t.Fatalf("Derivable(Protect(...)) = %v; want none", d)
	}
	if d := Disclosed(tab, hidden); len(d) != 0 {
		t.Fatalf("Disclosed(Protect(...)) = %v; want none", d)
	}
	return hidden
}

// A 2×2 grid with one small cell: its row and its column each need a second hidden cell, and
// those two need a fourth to close the rectangle; the totals stay published.
//
//	 3 10 | 13        x  x | 13
//	10 20 | 30   →    x  x | 30
//	13 30 | 43       13 30 | 43
func TestProtectGridOneSmallCellHidesTheRectangle(t *testing.T) {
	tab, g := Grid([][]int64{{3, 10}, {10, 20}})
	got := hiddenCells(mustProtect(t, tab, DefaultThreshold))
	want := []int{g.Cell(0, 0), g.Cell(0, 1), g.Cell(1, 0), g.Cell(1, 1)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Protect(2×2 with one 3) hides %v; want %v (the four interior cells)", got, want)
	}
}

// Four small cells forming a rectangle already protect each other: every row and column that
// holds one holds two, and the 2×2 block keeps one degree of freedom. Nothing else is hidden.
//
//	 2  3 10 | 15
//	 4  1 12 | 17
//	10 11 30 | 51
func TestProtectGridSmallCellsThatCoverEachOther(t *testing.T) {
	tab, g := Grid([][]int64{{2, 3, 10}, {4, 1, 12}, {10, 11, 30}})
	got := hiddenCells(mustProtect(t, tab, DefaultThreshold))
	want := []int{g.Cell(0, 0), g.Cell(0, 1), g.Cell(1, 0), g.Cell(1, 1)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Protect hides %v; want only the four small cells %v", got, want)
	}
}

// Three small cells in an L: row 0 and column 0 already hold two hidden cells each, but (0,1) is
// alone in column 1 and (1,0) alone in row 1. The smallest count that closes both is (1,1) = 9.
//
//	 2  3 10 | 15
//	 4  9 12 | 25
//	10 11 30 | 51
func TestProtectGridLShapeIsClosedByOneCell(t *testing.T) {
	tab, g := Grid([][]int64{{2, 3, 10}, {4, 9, 12}, {10, 11, 30}})
	got := hiddenCells(mustProtect(t, tab, DefaultThreshold))
	want := []int{g.Cell(0, 0), g.Cell(0, 1), g.Cell(1, 0), g.Cell(1, 1)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Protect hides %v; want %v", got, want)
	}
}

func yearOfMonths(months [12]int64) *Node {
	year := &Node{Key: "2024"}
	for q := range 4 {
		quarter := &Node{Key: "2024-Q" + string(rune('1'+q))}
		for m := range 3 {
			k := q*3 + m
			quarter.Children = append(quarter.Children, &Node{
				Key:   "2024-" + string(rune('0'+(k+1)/10)) + string(rune('0'+(k+1)%10)),
				Value: months[k],
			})
		}
		year.Children = append(year.Children, quarter)
	}
	return year
}

// Twelve months → four quarters → one year, one small month: the smallest other month of the same
// quarter is hidden, and nothing else (the quarter and the year stay published).
func TestProtectTreeSmallMonthHidesAnotherMonthOfItsQuarter(t *testing.T) {
	tab, idx, err := Tree(yearOfMonths([12]int64{3, 12, 15, 20, 21, 22, 30, 31, 32, 40, 41, 42}))
	if err != nil {
		t.Fatal(err)
	}
	got := hiddenCells(mustProtect(t, tab, DefaultThreshold))
	want := []int{idx["2024-01"], idx["2024-02"]}
	slices.Sort(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Protect hides %v; want January and February %v", got, want)
	}
}

// When the quarter itself is small (Q1 = 1 + 2 + 0 = 3), it must be protected inside the year:
// the smallest other quarter (Q2 = 21) is hidden, which in turn needs one of its months hidden
// (April = 6, the smallest). January and February are small; March = 0 stays published.
func TestProtectTreeSmallQuarterHidesAnotherQuarterAndOneOfItsMonths(t *testing.T) {
	tab, idx, err := Tree(yearOfMonths([12]int64{1, 2, 0, 6, 7, 8, 10, 10, 10, 9, 9, 9}))
	if err != nil {
		t.Fatal(err)
	}
	got := hiddenCells(mustProtect(t, tab, DefaultThreshold))
	want := []int{idx["2024-Q1"], idx["2024-01"], idx["2024-02"], idx["2024-Q2"], idx["2024-04"]}
	slices.Sort(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Protect hides %v; want Q1, January, February, Q2, April %v", got, want)
	}
}

func TestProtectWithoutSmallCountsHidesNothing(t *testing.T) {
	tab, _ := Grid([][]int64{{5, 0, 12}, {0, 0, 7}, {30, 6, 5}})
	if got := hiddenCells(mustProtect(t, tab, DefaultThreshold)); len(got) != 0 {
		t.Errorf("Protect(no count in [1,4]) hides %v; want nothing", got)
	}
}

// A cell that is the only part of its total makes the total equal to it, so the total is small
// and hidden too; the total in turn is a part of G = T + U and needs U hidden.
//
//	cells: a=3, T=3, U=10, G=13; relations T = a, G = T + U
func TestProtectOnlyPartOfItsTotalHidesTheTotal(t *testing.T) {
	tab := Table{
		Cells:     []int64{3, 3, 10, 13},
		Relations: []Relation{{Total: 1, Parts: []int{0}}, {Total: 3, Parts: []int{1, 2}}},
	}
	got := hiddenCells(mustProtect(t, tab, DefaultThreshold))
	if want := []int{0, 1, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("Protect hides %v; want a, T and U %v", got, want)
	}
}

// The zero-sum rule: T = a + b + c with a = b = 0 hidden and T, c published forces a = b = 0 by
// non-negativity, though neither is exactly derivable; once a is known, S = a + d + e with S and
// e published gives d. Disclosed sees the chain; Derivable (exact algebra only) does not.
// Protect never hides a zero, so it protects d with e instead.
//
//	cells: a=0 b=0 c=7 T=7 d=3 e=10 S=13
func TestDisclosedFollowsTheZeroSumRule(t *testing.T) {
	tab := Table{
		Cells: []int64{0, 0, 7, 7, 3, 10, 13},
		Relations: []Relation{
			{Total: 3, Parts: []int{0, 1, 2}},
			{Total: 6, Parts: []int{0, 4, 5}},
		},
	}
	mask := []bool{true, true, false, false, true, false, false}
	if d := Derivable(tab, mask); len(d) != 0 {
		t.Errorf("Derivable = %v; want none (a + b = 0 and a + d = 3 isolate nothing)", d)
	}
	if d, want := Disclosed(tab, mask), []int{0, 1, 4}; !reflect.DeepEqual(d, want) {
		t.Errorf("Disclosed = %v; want %v (a, b forced to 0, then d)", d, want)
	}
	if got, want := hiddenCells(mustProtect(t, tab, DefaultThreshold)), []int{4, 5}; !reflect.DeepEqual(got, want) {
		t.Errorf("Protect hides %v; want d and e %v", got, want)
	}
}

func TestProtectThresholdOneHidesNothing(t *testing.T) {
	tab, _ := Grid([][]int64{{1, 2}, {3, 4}})
	if got := hiddenCells(mustProtect(t, tab, 1)); len(got) != 0 {
		t.Errorf("Protect(threshold 1) hides %v; want nothing", got)
	}
}

func TestProtectRejectsBadInput(t *testing.T) {
	tab, _ := Grid([][]int64{{1}})
	if _, err := Protect(tab, 0); !errors.Is(err, ErrInvalidThreshold) {
		t.Errorf("Protect(threshold 0) error = %v; want ErrInvalidThreshold", err)
	}
	tab.Cells[0] = 2 // the totals no longer match
	if _, err := Protect(tab, 5); !errors.Is(err, ErrInvalidTable) {
		t.Errorf("Protect(broken table) error = %v; want ErrInvalidTable", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		tab  Table
		ok   bool
	}{
		{"empty", Table{}, true},
		{"holds", Table{Cells: []int64{5, 2, 3}, Relations: []Relation{{0, []int{1, 2}}}}, true},
		{"no parts means zero", Table{Cells: []int64{0}, Relations: []Relation{{0, nil}}}, true},
		{"negative", Table{Cells: []int64{-1}}, false},
		{"total out of range", Table{Cells: []int64{1}, Relations: []Relation{{1, []int{0}}}}, false},
		{"part out of range", Table{Cells: []int64{1}, Relations: []Relation{{0, []int{-1}}}}, false},
		{"own part", Table{Cells: []int64{1, 1}, Relations: []Relation{{0, []int{0, 1}}}}, false},
		{"part twice", Table{Cells: []int64{2, 1}, Relations: []Relation{{0, []int{1, 1}}}}, false},
		{"does not hold", Table{Cells: []int64{4, 2, 3}, Relations: []Relation{{0, []int{1, 2}}}}, false},
		{"overflow", Table{Cells: []int64{1, 1 << 62, 1 << 62, 1 << 62, 1 << 62}, Relations: []Relation{{0, []int{1, 2, 3, 4}}}}, false},
	}
	for _, tt := range tests {
		err := tt.tab.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v; want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidTable) {
			t.Errorf("%s: Validate() = %v; want it to wrap ErrInvalidTable", tt.name, err)
		}
	}
}

func TestGridLayout(t *testing.T) {
	tab, g := Grid([][]int64{{1, 2, 3}, {4, 5, 6}})
	if err := tab.Validate(); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		idx       int
		want      int64
		wantIndex int
	}{
		{"Cell(1,2)", g.Cell(1, 2), 6, 5},
		{"RowTotal(1)", g.RowTotal(1), 15, 7},
		{"ColTotal(0)", g.ColTotal(0), 5, 8},
		{"Grand()", g.Grand(), 21, 11},
	}
	for _, c := range checks {
		if c.idx != c.wantIndex || tab.Cells[c.idx] != c.want {
			t.Errorf("%s = index %d value %d; want index %d value %d", c.name, c.idx, tab.Cells[c.idx], c.wantIndex, c.want)
		}
	}
	if len(tab.Cells) != 12 {
		t.Errorf("len(Cells) = %d; want 12", len(tab.Cells))
	}
}

func TestGridPanicsOnRaggedRows(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Grid(ragged) did not panic")
		}
	}()
	Grid([][]int64{{1, 2}, {3}})
}

func TestTreeErrors(t *testing.T) {
	if _, _, err := Tree(nil); err == nil {
		t.Error("Tree(nil) = nil error; want one")
	}
	leaf := &Node{Key: "m"}
	if _, _, err := Tree(&Node{Key: "y", Children: []*Node{leaf, leaf}}); err == nil {
		t.Error("Tree(node twice) = nil error; want one")
	}
	if _, _, err := Tree(&Node{Key: "y", Children: []*Node{nil}}); err == nil {
		t.Error("Tree(nil child) = nil error; want one")
	}
}

// A breakdown by months that roll up to a quarter: the cell (physical, Jan) is one index, part of
// both its row's quarter and its month's total.
func TestCrossSharesCellsBetweenBothDirections(t *testing.T) {
	rows := &Node{Key: "all", Children: []*Node{{Key: "physical"}, {Key: "psychological"}}}
	cols := &Node{Key: "Q1", Children: []*Node{{Key: "Jan"}, {Key: "Feb"}, {Key: "Mar"}}}
	vals := map[string]int64{"physical/Jan": 3, "physical/Feb": 8, "physical/Mar": 9,
		"psychological/Jan": 12, "psychological/Feb": 10, "psychological/Mar": 11}
	tab, x, err := Cross(rows, cols, func(r, c string) int64 { return vals[r+"/"+c] })
	if err != nil {
		t.Fatal(err)
	}
	if err := tab.Validate(); err != nil {
		t.Fatal(err)
	}
	at := func(r, c string) int {
		i, ok := x.Cell(r, c)
		if !ok {
			t.Fatalf("Cell(%q, %q) unknown", r, c)
		}
		return i
	}
	if got := tab.Cells[at("all", "Q1")]; got != 53 {
		t.Errorf("all/Q1 = %d; want 53", got)
	}
	if got := tab.Cells[at("physical", "Q1")]; got != 20 {
		t.Errorf("physical/Q1 = %d; want 20", got)
	}
	if _, ok := x.Cell("sexual", "Jan"); ok {
		t.Error(`Cell("sexual", "Jan") ok; want unknown`)
	}
	got := hiddenCells(mustProtect(t, tab, DefaultThreshold))
	want := []int{at("physical", "Jan"), at("physical", "Feb"), at("psychological", "Jan"), at("psychological", "Feb")}
	slices.Sort(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Protect hides %v; want physical and psychological for Jan and Feb %v", got, want)
	}
}

func TestDerivablePanicsOnMaskOfWrongLength(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Derivable(short mask) did not panic")
		}
	}()
	tab, _ := Grid([][]int64{{1}})
	Derivable(tab, []bool{true})
}

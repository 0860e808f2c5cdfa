package disclosure

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"pgregory.net/rapid"
)

// Generators. Values 0..30 give many small cells at the default threshold.

func drawGrid(t *rapid.T, lo, hi int64) Table {
	rows := rapid.IntRange(1, 8).Draw(t, "rows")
	cols := rapid.IntRange(1, 8).Draw(t, "cols")
	values := make([][]int64, rows)
	for r := range values {
		values[r] = rapid.SliceOfN(drawValue(lo, hi), cols, cols).Draw(t, fmt.Sprintf("row%d", r))
	}
	tab, _ := Grid(values)
	return tab
}

// drawValue draws 0 or a count in [lo, hi]: with lo = 1 anything, with lo = threshold only
// counts that need no protection (so that sums of them need none either).
func drawValue(lo, hi int64) *rapid.Generator[int64] {
	return rapid.OneOf(rapid.Just[int64](0), rapid.Int64Range(lo, hi))
}

func drawNode(t *rapid.T, key string, depth, fanout int, lo, hi int64) *Node {
	nd := &Node{Key: key}
	if depth == 0 || (key != "r" && rapid.IntRange(0, 3).Draw(t, "leaf "+key) == 0) {
		nd.Value = drawValue(lo, hi).Draw(t, "value "+key)
		return nd
	}
	k := rapid.IntRange(1, fanout).Draw(t, "fanout "+key)
	for i := range k {
		nd.Children = append(nd.Children, drawNode(t, fmt.Sprintf("%s.%d", key, i), depth-1, fanout, lo, hi))
	}
	return nd
}

func drawTree(t *rapid.T, lo, hi int64) Table {
	depth := rapid.IntRange(1, 3).Draw(t, "depth")
	tab, _, err := Tree(drawNode(t, "r", depth, 6, lo, hi))
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// drawCross draws a breakdown (one or two levels) by periods that roll up (one to three levels).
func drawCross(t *rapid.T, lo, hi int64) Table {
	return drawCrossOf(t, 2, 4, 3, 3, lo, hi)
}

func drawCrossOf(t *rapid.T, rowDepth, rowFanout, colDepth, colFanout int, lo, hi int64) Table {
	rows := drawNode(t, "r", rapid.IntRange(1, rowDepth).Draw(t, "row depth"), rowFanout, 0, 0)
	cols := drawNode(t, "r", rapid.IntRange(1, colDepth).Draw(t, "col depth"), colFanout, 0, 0)
	values := map[string]int64{}
	tab, _, err := Cross(rows, cols, func(r, c string) int64 {
		k := r + "×" + c
		if _, ok := values[k]; !ok {
			values[k] = drawValue(lo, hi).Draw(t, k)
		}
		return values[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// drawGeneral draws a small table of arbitrary sums: a few leaves, then cells each the sum of
// one to three earlier cells (overlapping, nested, a total with a single part...).
func drawGeneral(t *rapid.T, lo, hi int64) Table {
	var tab Table
	leaves := rapid.IntRange(1, 5).Draw(t, "leaves")
	for i := range leaves {
		tab.Cells = append(tab.Cells, drawValue(lo, hi).Draw(t, fmt.Sprintf("leaf%d", i)))
	}
	sums := rapid.IntRange(0, 4).Draw(t, "sums")
	for s := range sums {
		n := len(tab.Cells)
		parts := rapid.SliceOfNDistinct(rapid.IntRange(0, n-1), 1, min(3, n), rapid.ID[int]).Draw(t, fmt.Sprintf("parts%d", s))
		var v int64
		for _, p := range parts {
			v += tab.Cells[p]
		}
		tab.Relations = append(tab.Relations, Relation{Total: n, Parts: parts})
		tab.Cells = append(tab.Cells, v)
	}
	return tab
}

type shape struct {
	name string
	draw func(*rapid.T, int64, int64) Table
}

var shapes = []shape{{"grid", drawGrid}, {"tree", drawTree}, {"cross", drawCross}, {"general", drawGeneral}}

func drawThreshold(t *rapid.T) int64 {
	return rapid.OneOf(rapid.Just(DefaultThreshold), rapid.Int64Range(1, 10)).Draw(t, "threshold")
}

// The properties every Protect result must have.
func TestProtectProperties(t *testing.T) {
	for _, sh := range shapes {
		draw := sh.draw
		t.Run(sh.name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				tab := draw(t, 1, 30)
				if err := tab.Validate(); err != nil {
					t.Fatalf("generator built an invalid table: %v", err)
				}
				threshold := drawThreshold(t)
				hidden, err := Protect(tab, threshold)
				if err != nil {
					t.Fatalf("Protect: %v", err)
				}
				primary := make([]bool, len(tab.Cells))
				for i, v := range tab.Cells {
					primary[i] = v >= 1 && v < threshold
					// 1. every small count is hidden.
					if primary[i] && !hidden[i] {
						t.Fatalf("cell %d = %d < %d is published", i, v, threshold)
					}
					// A zero is never hidden (so the zero-sum rule can never apply).
					if hidden[i] && v == 0 {
						t.Fatalf("cell %d = 0 is hidden", i)
					}
				}
				// 2. no hidden cell can be recomputed, even with the zero-sum rule.
				if d := Derivable(tab, hidden); len(d) != 0 {
					t.Fatalf("Derivable = %v; want none (hidden %v)", d, hiddenCells(hidden))
				}
				if d := Disclosed(tab, hidden); len(d) != 0 {
					t.Fatalf("Disclosed = %v; want none (hidden %v)", d, hiddenCells(hidden))
				}
				// 3. determinism.
				again, err := Protect(tab, threshold)
				if err != nil || !reflect.DeepEqual(again, hidden) {
					t.Fatalf("Protect twice: %v then %v (%v)", hiddenCells(hidden), hiddenCells(again), err)
				}
				// Local minimality: publishing any complementary cell exposes a primary one.
				for i, h := range hidden {
					if !h || primary[i] {
						continue
					}
					hidden[i] = false
					if !anyOf(primary, Derivable(tab, hidden)) {
						t.Fatalf("complementary cell %d = %d is not needed (hidden %v)", i, tab.Cells[i], hiddenCells(hidden))
					}
					hidden[i] = true
				}
			})
		})
	}
}

// ProtectWith keeps every fate it is given, and what it hides is as safe as what Protect hides:
// nothing hidden is derivable. Fates are drawn at random (MustPublish only on counts that need no
// protection); a draw where published cells alone expose a hidden one must say so.
func TestProtectWithKeepsFates(t *testing.T) {
	for _, sh := range shapes {
		draw := sh.draw
		t.Run(sh.name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				tab := draw(t, 1, 30)
				threshold := drawThreshold(t)
				fates := make([]Fate, len(tab.Cells))
				for i, v := range tab.Cells {
					fates[i] = rapid.SampledFrom([]Fate{Free, Free, MustHide, MustPublish}).Draw(t, fmt.Sprint("fate ", i))
					if fates[i] == MustPublish && v >= 1 && v < threshold {
						fates[i] = Free
					}
				}
				hidden, err := ProtectWith(tab, threshold, fates)
				if errors.Is(err, ErrNoComplement) {
					return
				}
				if err != nil {
					t.Fatalf("ProtectWith: %v", err)
				}
				for i, v := range tab.Cells {
					switch {
					case fates[i] == MustHide && !hidden[i]:
						t.Fatalf("cell %d must be hidden but is published", i)
					case fates[i] == MustPublish && hidden[i]:
						t.Fatalf("cell %d must be published but is hidden", i)
					case v >= 1 && v < threshold && !hidden[i]:
						t.Fatalf("cell %d = %d < %d is published", i, v, threshold)
					case fates[i] == Free && hidden[i] && v == 0:
						t.Fatalf("free cell %d = 0 is hidden", i)
					}
				}
				if d := Derivable(tab, hidden); len(d) != 0 {
					t.Fatalf("Derivable = %v; want none (hidden %v, fates %v)", d, hiddenCells(hidden), fates)
				}
			})
		})
	}
}

func TestProtectWithRefusesAPublishedSmallCount(t *testing.T) {
	tab, _ := Grid([][]int64{{3, 10}, {12, 14}})
	fates := make([]Fate, len(tab.Cells))
	fates[0] = MustPublish
	if _, err := ProtectWith(tab, DefaultThreshold, fates); !errors.Is(err, ErrInvalidTable) {
		t.Errorf("ProtectWith(3 must be published) = %v; want ErrInvalidTable", err)
	}
}

func TestProtectWithReportsWhenOnlyPublishedCellsExposeAHiddenOne(t *testing.T) {
	// 3 + 10 = 13: hiding 3 needs 10 or 13 hidden, and both must be published.
	tab := Table{Cells: []int64{3, 10, 13}, Relations: []Relation{{Total: 2, Parts: []int{0, 1}}}}
	if _, err := ProtectWith(tab, DefaultThreshold, []Fate{Free, MustPublish, MustPublish}); !errors.Is(err, ErrNoComplement) {
		t.Errorf("ProtectWith = %v; want ErrNoComplement", err)
	}
}

// 4. Cells are never hidden without reason.
func TestProtectHidesNothingWithoutSmallCounts(t *testing.T) {
	for _, sh := range shapes {
		draw := sh.draw
		t.Run(sh.name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				threshold := drawThreshold(t)
				tab := draw(t, threshold, threshold+30)
				hidden, err := Protect(tab, threshold)
				if err != nil {
					t.Fatalf("Protect: %v", err)
				}
				if h := hiddenCells(hidden); len(h) != 0 {
					t.Fatalf("Protect(no count in [1,%d]) hides %v; cells %v", threshold-1, h, tab.Cells)
				}
			})
		})
	}
}

// 5. Derivable itself is right: on small tables and any hidden pattern, each answer is backed by
// a certified witness (see oracle_test.go): a combination of relations isolating the cell, or
// another real solution that agrees on the published cells and differs at the cell.
func TestDerivableAgreesWithCertifiedOracle(t *testing.T) {
	small := []struct {
		name string
		draw func(*rapid.T) Table
	}{
		{"general", func(t *rapid.T) Table { return drawGeneral(t, 1, 8) }},
		{"grid", func(t *rapid.T) Table {
			r, c := rapid.IntRange(1, 3).Draw(t, "rows"), rapid.IntRange(1, 3).Draw(t, "cols")
			v := make([][]int64, r)
			for i := range v {
				v[i] = rapid.SliceOfN(rapid.Int64Range(0, 8), c, c).Draw(t, fmt.Sprintf("row%d", i))
			}
			tab, _ := Grid(v)
			return tab
		}},
		{"tree", func(t *rapid.T) Table { tab, _, _ := Tree(drawNode(t, "r", 2, 3, 0, 8)); return tab }},
		{"cross", func(t *rapid.T) Table { return drawCrossOf(t, 1, 3, 2, 3, 1, 8) }},
	}
	for _, sm := range small {
		draw := sm.draw
		t.Run(sm.name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				tab := draw(t)
				hidden := rapid.SliceOfN(rapid.Bool(), len(tab.Cells), len(tab.Cells)).Draw(t, "hidden")
				want := certifiedDerivable(t, tab, hidden)
				if got := Derivable(tab, hidden); !reflect.DeepEqual(got, want) {
					t.Fatalf("Derivable = %v; certified oracle says %v (hidden %v)", got, want, hiddenCells(hidden))
				}
			})
		})
	}
}

// Disclosed only adds to Derivable, and each cell it adds is one the zero-sum rule gives away.
func TestDisclosedContainsDerivable(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tab := drawGeneral(t, 1, 8)
		hidden := rapid.SliceOfN(rapid.Bool(), len(tab.Cells), len(tab.Cells)).Draw(t, "hidden")
		d, x := Derivable(tab, hidden), Disclosed(tab, hidden)
		for _, i := range d {
			if !containsInt(x, i) {
				t.Fatalf("Derivable = %v but Disclosed = %v misses %d", d, x, i)
			}
		}
		for _, i := range x {
			if !hidden[i] {
				t.Fatalf("Disclosed = %v lists published cell %d", x, i)
			}
		}
	})
}

// The int64 fast path and the math/big fallback reach the same answer.
func TestEliminationPathsAgree(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tab := rapid.SampledFrom(shapes).Draw(t, "shape").draw(t, 1, 30)
		hidden := rapid.SliceOfN(rapid.Bool(), len(tab.Cells), len(tab.Cells)).Draw(t, "hidden")
		fast, ok := analyse64(tab, hidden, true)
		if !ok {
			t.Skip("int64 overflow (not expected on these tables)")
		}
		if slow := analyseBig(tab, hidden, true); !reflect.DeepEqual(fast, slow) {
			t.Fatalf("int64 path %+v; big path %+v", fast, slow)
		}
	})
}

func containsInt(s []int, x int) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

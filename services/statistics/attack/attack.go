// Package attack is the attacker of the disclosure tests: given a table, the cells a reader knows
// and the table's relations, it computes every other cell's feasible interval by linear
// programming (gonum's simplex), with non-negativity, then rounds the bounds inward to integers
// (every count is an integer, so no integer solution lies outside the rounded interval).
//
// It is deliberately independent of the engine in the parent package: it does not use its
// elimination, and it answers the stronger question (how tightly is a hidden count bounded?)
// rather than "can it be recomputed exactly?". Its results are checked against an exhaustive
// integer search on small tables (see attack_test.go). It is meant for tests: it solves two
// linear programmes per unknown cell, from scratch.
//
// It lives outside the module's internal tree so that the suite's end-to-end tests can attack the
// service's real answers through the gateway (cmd/vif); [Table] and [Relation] name the engine's
// types for them.
package attack

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"

	"github.com/vif71/vif/services/statistics/internal/domain/disclosure"
)

// Table is a set of non-negative integer cells tied by additive relations (the engine's type).
type Table = disclosure.Table

// Relation says Cells[Total] = sum of Cells[Parts] (the engine's type).
type Relation = disclosure.Relation

// Interval is what an attacker knows of a cell: Lo ≤ value ≤ Hi, or Lo ≤ value when Unbounded.
type Interval struct {
	Lo, Hi    int64
	Unbounded bool
}

// Width is Hi − Lo, or math.MaxInt64 when the interval is unbounded.
func (iv Interval) Width() int64 {
	if iv.Unbounded {
		return math.MaxInt64
	}
	return iv.Hi - iv.Lo
}

func (iv Interval) String() string {
	if iv.Unbounded {
		return fmt.Sprintf("[%d, ∞)", iv.Lo)
	}
	return fmt.Sprintf("[%d, %d]", iv.Lo, iv.Hi)
}

// Intervals returns the feasible interval of every cell: a known cell's is its value; an unknown
// cell's is the range of its value over every non-negative real solution of t's relations that
// agrees with the known cells, rounded inward to integers. known has one flag per cell.
func Intervals(t disclosure.Table, known []bool) ([]Interval, error) {
	return IntervalsOf(t, known, nil)
}

// IntervalsOf is Intervals for the cells that want says (nil: all of them); the others' intervals
// are left zero. It saves the two linear programmes of each cell left out.
func IntervalsOf(t disclosure.Table, known, want []bool) ([]Interval, error) {
	if len(known) != len(t.Cells) || (want != nil && len(want) != len(t.Cells)) {
		return nil, fmt.Errorf("attack: %d flags for %d cells", len(known), len(t.Cells))
	}
	out := make([]Interval, len(t.Cells))
	vars := map[int]int{} // cell -> column of the unknowns
	var cells []int
	for i, k := range known {
		if k {
			out[i] = Interval{Lo: t.Cells[i], Hi: t.Cells[i]}
		} else {
			out[i] = Interval{Unbounded: true} // until a relation bounds it
		}
	}
	// Rows over the unknowns: total − Σ parts = 0, the known cells moved to the right-hand side.
	type row struct {
		coef map[int]float64
		rhs  float64
	}
	var rows []row
	for _, r := range t.Relations {
		rw := row{coef: map[int]float64{}}
		term := func(c int, s float64) {
			if known[c] {
				rw.rhs -= s * float64(t.Cells[c])
				return
			}
			if _, ok := vars[c]; !ok {
				vars[c] = len(cells)
				cells = append(cells, c)
			}
			rw.coef[vars[c]] += s
		}
		term(r.Total, 1)
		for _, p := range r.Parts {
			term(p, -1)
		}
		rows = append(rows, rw)
	}
	n := len(cells)
	dense := make([][]float64, 0, len(rows))
	for _, rw := range rows {
		v := make([]float64, n+1)
		nonZero := false
		for j, c := range rw.coef {
			v[j] = c
			nonZero = nonZero || c != 0
		}
		v[n] = rw.rhs
		if !nonZero {
			if math.Abs(rw.rhs) > 1e-9 {
				return nil, errors.New("attack: the known cells contradict a relation")
			}
			continue
		}
		dense = append(dense, v)
	}
	dense = independentRows(dense, n)
	// Columns in no remaining row are bounded below by 0 only.
	inRow := make([]bool, n)
	for _, v := range dense {
		for j := range n {
			if v[j] != 0 {
				inRow[j] = true
			}
		}
	}
	var cols []int // columns of the LP, as indexes into cells
	for j := range n {
		if inRow[j] {
			cols = append(cols, j)
		} else {
			out[cells[j]] = Interval{Unbounded: true}
		}
	}
	if len(cols) == 0 {
		return out, nil
	}
	// The unknowns split into independent components (cells tied by no chain of rows): each is
	// its own, smaller, programme.
	parent := make([]int, n)
	for j := range parent {
		parent[j] = j
	}
	find := func(j int) int {
		for parent[j] != j {
			parent[j] = parent[parent[j]]
			j = parent[j]
		}
		return j
	}
	for _, v := range dense {
		first := -1
		for j := range n {
			if v[j] == 0 {
				continue
			}
			if first < 0 {
				first = j
			} else {
				parent[find(j)] = find(first)
			}
		}
	}
	compCols := map[int][]int{}
	for _, j := range cols {
		compCols[find(j)] = append(compCols[find(j)], j)
	}
	compRows := map[int][][]float64{}
	for _, v := range dense {
		for j := range n {
			if v[j] != 0 {
				compRows[find(j)] = append(compRows[find(j)], v)
				break
			}
		}
	}
	for root, cc := range compCols {
		needed := want == nil
		for _, j := range cc {
			needed = needed || want[cells[j]]
		}
		if !needed {
			continue
		}
		if err := solveComponent(cells, cc, compRows[root], n, want, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// solveComponent bounds the cells of one component (columns cc of the unknowns, rows its rows;
// each row's entry n is its right-hand side).
func solveComponent(cells, cc []int, rows [][]float64, n int, want []bool, out []Interval) error {
	m := len(rows)
	A := mat.NewDense(m, len(cc), nil)
	b := make([]float64, m)
	for r, v := range rows {
		s := 1.0
		if v[n] < 0 {
			s = -1 // b ≥ 0 keeps phase I simple
		}
		for k, j := range cc {
			A.Set(r, k, s*v[j])
		}
		b[r] = s * v[n]
	}
	c := make([]float64, len(cc))
	for k, j := range cc {
		if want != nil && !want[cells[j]] {
			continue
		}
		c[k] = 1
		lo, _, err := lp.Simplex(c, A, b, 1e-10, nil)
		if err != nil {
			return fmt.Errorf("attack: minimising cell %d: %w", cells[j], err)
		}
		c[k] = -1
		hi, _, err := lp.Simplex(c, A, b, 1e-10, nil)
		c[k] = 0
		iv := Interval{Lo: int64(math.Ceil(lo - 1e-6))}
		switch {
		case errors.Is(err, lp.ErrUnbounded):
			iv.Unbounded = true
		case err != nil:
			return fmt.Errorf("attack: maximising cell %d: %w", cells[j], err)
		default:
			iv.Hi = int64(math.Floor(-hi + 1e-6))
		}
		out[cells[j]] = iv
	}
	return nil
}

// independentRows keeps a maximal set of linearly independent rows (gonum's simplex wants full
// row rank), by Gaussian elimination with partial pivoting. The coefficients are small
// integers (±1 and sums of them), so a tolerance of 1e-9 separates zero from non-zero safely.
func independentRows(rows [][]float64, n int) [][]float64 {
	var kept [][]float64
	var basis [][]float64 // reduced copies of kept rows
	var pivots []int
	for _, r := range rows {
		v := append([]float64(nil), r[:n]...)
		for k, bv := range basis {
			if f := v[pivots[k]]; f != 0 {
				for j := range n {
					v[j] -= f * bv[j]
				}
			}
		}
		p := -1
		for j := range n {
			if math.Abs(v[j]) > 1e-9 && (p < 0 || math.Abs(v[j]) > math.Abs(v[p])) {
				p = j
			}
		}
		if p < 0 {
			continue // a combination of the rows kept: it adds nothing (the table is consistent)
		}
		f := v[p]
		for j := range n {
			v[j] /= f
		}
		for k, bv := range basis { // keep the basis reduced on every pivot column
			if g := bv[p]; g != 0 {
				for j := range n {
					bv[j] -= g * v[j]
				}
				basis[k] = bv
			}
		}
		basis = append(basis, v)
		pivots = append(pivots, p)
		kept = append(kept, r)
	}
	return kept
}

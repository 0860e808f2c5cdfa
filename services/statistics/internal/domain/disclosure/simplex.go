package disclosure

import (
	"errors"
	"math"
)

// The witnesses' linear programmes are solved by this small dense-tableau simplex rather than by
// gonum's lp.Simplex. gonum's finds its starting basis column by column, with a QR factorisation
// and a condition number per candidate column, and refactorises the basis (dense LU) at every
// phase-2 iteration: on the programmes a release builds after a partial data set (≈ 120–170
// independent rows, up to ≈ 230 with the redundant ones it needs removed first, × 240–400
// columns, coefficients 0 and ±1) it took 0.2–1.5 s each, most of it finding the starting
// basis, and the public yearly query after 160 of the seed's reports took 22 s. This one
// starts from one artificial variable per row (no factorisation), updates the tableau in
// place, skipping the zeros of the pivot row and column (these programmes are sparse), and
// copes with redundant rows itself. Measured (BenchmarkWitnessLP, the largest of those
// programmes, 234 × 400): gonum 1.46 s (with the row reduction), this 3 ms; that query:
// 22–35 s → 1.0–1.5 s (after 200 and 240 reports: 3.5 and 4.5 min → 5–6 s, the rest of it
// now outside the linear programmes).
//
// Floating point decides nothing here: what it returns is rounded and checked exactly (holds).

var (
	errInfeasible = errors.New("simplex: infeasible")
	errUnbounded  = errors.New("simplex: unbounded")
	errCycling    = errors.New("simplex: iteration limit reached")
)

// simplexTol is the tolerance of the simplex: a pivot, a reduced cost or a phase-1 residual
// smaller than it counts as zero.
const simplexTol = 1e-9

// simplex solves min c·x subject to A x = b, x ≥ 0, where A is given by its rows (each len(c)
// long; any number of them, redundant ones included). It returns an optimal basic solution, or
// errInfeasible or errUnbounded (or errCycling, which should not happen: Bland's rule is used
// whenever the objective stalls).
//
// Two phases on one dense tableau: phase 1 minimises the sum of one artificial variable per row
// (after negating the rows with b < 0), starting from the basis of artificials; at its end the
// artificials still basic (at 0) are pivoted out on any non-zero entry of their row, or, when the
// row has none, the row is dropped (it was a combination of the others). Phase 2 minimises c·x
// from that basis. The artificials' columns are not stored: one that leaves the basis never
// enters again. Entering column: the most negative reduced cost (Dantzig), or after a run of
// degenerate pivots the lowest index with a negative one (Bland), until the objective moves
// again; leaving row: the minimum ratio, ties to the largest pivot (Bland: the lowest basic
// index).
func simplex(c []float64, A [][]float64, b []float64) ([]float64, error) {
	return simplexStall(c, A, b, 50)
}

// simplexStall is simplex switching to Bland's rule after stall degenerate pivots in a row (0:
// Bland's rule throughout; the tests use it).
func simplexStall(c []float64, A [][]float64, b []float64, stall int) ([]float64, error) {
	m, n := len(A), len(c)
	// Tableau: m constraint rows then the objective row, each n+1 long (the last entry: the
	// right-hand side; in the objective row, minus the objective's value).
	t := make([][]float64, m+1)
	for r := range m {
		row := make([]float64, n+1)
		sign := 1.0
		if b[r] < 0 {
			sign = -1
		}
		for j, v := range A[r] {
			row[j] = sign * v
		}
		row[n] = sign * b[r]
		t[r] = row
	}
	basis := make([]int, m) // basic variable of each row; n+r: row r's artificial
	for r := range basis {
		basis[r] = n + r
	}
	// Phase 1: the cost of each artificial is 1, so a column's reduced cost is minus its sum.
	obj := make([]float64, n+1)
	for r := range m {
		for j, v := range t[r] {
			obj[j] -= v
		}
	}
	t[m] = obj
	s := &tableau{t: t, basis: basis, n: n, stall: stall}
	if err := s.run(); err != nil {
		return nil, err // unbounded cannot happen in phase 1; errCycling can
	}
	scale := 1.0
	for _, v := range b {
		scale = math.Max(scale, math.Abs(v))
	}
	if -s.t[len(s.t)-1][n] > simplexTol*scale*float64(m+1) {
		return nil, errInfeasible
	}
	// Drive the artificials out of the basis, or drop their rows.
	for r := 0; r < len(s.basis); {
		if s.basis[r] < n {
			r++
			continue
		}
		p := -1
		for j := range n {
			if v := math.Abs(s.t[r][j]); v > simplexTol && (p < 0 || v > math.Abs(s.t[r][p])) {
				p = j
			}
		}
		if p < 0 { // redundant: remove row r (the objective row stays last)
			s.t = append(s.t[:r], s.t[r+1:]...)
			s.basis = append(s.basis[:r], s.basis[r+1:]...)
			continue
		}
		s.t[r][n] = 0 // the artificial is at 0 (up to rounding): the pivot is degenerate
		s.pivot(r, p)
		r++
	}
	// Phase 2: the reduced costs of c for the current basis.
	m = len(s.basis)
	obj = s.t[m]
	copy(obj, c)
	obj[n] = 0
	for r := range m {
		if cb := c[s.basis[r]]; cb != 0 {
			for j, v := range s.t[r] {
				obj[j] -= cb * v
			}
		}
	}
	if err := s.run(); err != nil {
		return nil, err
	}
	x := make([]float64, n)
	for r, j := range s.basis {
		x[j] = math.Max(0, s.t[r][n])
	}
	return x, nil
}

// tableau is the state of simplex: rows 0..len(basis)-1 are the constraints, the last row the
// reduced costs; n is the number of structural columns (the right-hand side is column n).
type tableau struct {
	t     [][]float64
	basis []int
	n     int
	stall int   // degenerate pivots in a row before Bland's rule
	nz    []int // scratch: the non-zero columns of the pivot row
}

// run pivots until no reduced cost is negative.
func (s *tableau) run() error {
	m, n := len(s.basis), s.n
	obj := s.t[m]
	// An iteration limit far beyond what a terminating run needs guards against a numerical
	// loop.
	degenerate := 0
	for iter, limit := 0, 50*(m+n+10); ; iter++ {
		if iter == limit {
			return errCycling
		}
		bland := degenerate >= s.stall
		e := -1
		for j := range n {
			if obj[j] < -simplexTol && (e < 0 || (!bland && obj[j] < obj[e])) {
				e = j
				if bland {
					break
				}
			}
		}
		if e < 0 {
			return nil
		}
		l := -1
		var best float64
		for r := range m {
			a := s.t[r][e]
			if a <= simplexTol {
				continue
			}
			ratio := math.Max(0, s.t[r][n]) / a
			switch {
			case l < 0 || ratio < best-simplexTol:
			case ratio <= best+simplexTol && (bland && s.basis[r] < s.basis[l] || !bland && a > s.t[l][e]):
			default:
				continue
			}
			l, best = r, ratio
		}
		if l < 0 {
			return errUnbounded
		}
		if best > simplexTol {
			degenerate = 0
		} else {
			degenerate++
		}
		s.pivot(l, e)
	}
}

// pivot makes column e basic in row l.
func (s *tableau) pivot(l, e int) {
	pr := s.t[l]
	f := 1 / pr[e]
	s.nz = s.nz[:0]
	for j, v := range pr {
		if v != 0 {
			pr[j] = v * f
			s.nz = append(s.nz, j)
		}
	}
	pr[e] = 1
	for r, row := range s.t {
		if r == l {
			continue
		}
		g := row[e]
		if g == 0 {
			continue
		}
		for _, j := range s.nz {
			v := row[j] - g*pr[j]
			if math.Abs(v) < 1e-12 {
				v = 0 // keep the tableau sparse: rounding leaves residues of exact cancellations
			}
			row[j] = v
		}
		row[e] = 0
	}
	s.basis[l] = e
}

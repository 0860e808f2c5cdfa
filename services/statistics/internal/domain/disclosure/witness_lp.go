package disclosure

import (
	"errors"
	"math"
)

// Widen's witness by linear programme (see widen.go), when the search found none.

// lpOutcome is what a witness programme gave.
type lpOutcome int

const (
	lpFound    lpOutcome = iota // a shift, checked exactly
	lpNone                      // no shift: the programme is infeasible
	lpUnusable                  // a solution that is not an exact integer shift, or no answer
)

// solveAmong is solve, moving only the movable cells (nil: any free cell); the cells the shift
// found moves are hidden.
func (w *widener) solveAmong(a int, base Shift, i int, s int64, movable []bool) (Shift, bool) {
	y, o := w.shiftAmong(a, base, i, s, movable)
	if o != lpFound {
		return nil, false
	}
	for j := range y {
		w.hide(j)
	}
	return y, true
}

// shiftAmong finds the shift of solveAmong, changing nothing.
func (w *widener) shiftAmong(a int, base Shift, i int, s int64, movable []bool) (Shift, lpOutcome) {
	t, att := w.t, w.attackers[a]
	n := len(t.Cells)
	fixed := func(j int) (int64, bool) {
		switch {
		case j == i:
			return s, true
		case w.fates[j] != Free || att.known(j):
			return base[j], true
		case movable != nil && !movable[j]:
			return 0, true
		}
		return 0, false
	}
	if i >= 0 && t.Cells[i]+s < att.own(i) {
		return nil, lpNone
	}
	// Variables: for a hidden cell j, its new value less the attacker's own part, u_j ≥ 0; for a
	// published one, p_j and n_j ≥ 0 with y_j = p_j − n_j, and u_j = cap_j + p_j − n_j.
	type cellVars struct{ u, p, n int }
	vars := map[int]cellVars{}
	nv := 0
	var cols []int
	for j := range n {
		if _, ok := fixed(j); ok {
			continue
		}
		cv := cellVars{u: nv, p: -1, n: -1}
		nv++
		if !w.hidden[j] {
			cv.p, cv.n = nv, nv+1
			nv += 2
		}
		vars[j] = cv
		cols = append(cols, j)
	}
	capOf := func(j int) int64 { return t.Cells[j] - att.own(j) }
	// A relation's row is built in buf and kept only when it moves a variable: most relations
	// of a large table touch none, and a row per relation was most of the programme's cost.
	var rows [][]float64
	buf := make([]float64, nv+1) // last: right-hand side
	var set []int
	var rhs int64
	term := func(j int, c int64) {
		if v, ok := fixed(j); ok {
			rhs -= c * v
			return
		}
		// y_j = u_j − cap_j
		buf[vars[j].u] += float64(c)
		set = append(set, vars[j].u)
		rhs += c * capOf(j)
	}
	for _, r := range t.Relations {
		rhs, set = 0, set[:0]
		term(r.Total, 1)
		for _, p := range r.Parts {
			term(p, -1)
		}
		if len(set) == 0 {
			if rhs != 0 {
				return nil, lpNone
			}
			continue
		}
		row := make([]float64, nv+1)
		copy(row, buf)
		row[nv] = float64(rhs)
		rows = append(rows, row)
		for _, k := range set {
			buf[k] = 0
		}
	}
	for _, j := range cols {
		cv := vars[j]
		if cv.p < 0 {
			continue
		}
		row := make([]float64, nv+1)
		row[cv.u], row[cv.p], row[cv.n], row[nv] = 1, -1, 1, float64(capOf(j))
		rows = append(rows, row)
	}
	y := Shift{}
	for j := range n {
		if v, ok := fixed(j); ok && v != 0 {
			y[j] = v
		}
	}
	if len(rows) > 0 {
		// Columns in no row: such a u_j stays at its current value.
		used := make([]bool, nv)
		for _, r := range rows {
			for k := range nv {
				if r[k] != 0 {
					used[k] = true
				}
			}
		}
		var lpCols []int
		for k := range nv {
			if used[k] {
				lpCols = append(lpCols, k)
			}
		}
		at := make([]int, nv)
		for c, k := range lpCols {
			at[k] = c
		}
		A := make([][]float64, len(rows))
		b := make([]float64, len(rows))
		for r, row := range rows {
			A[r] = make([]float64, len(lpCols))
			for c, k := range lpCols {
				A[r][c] = row[k]
			}
			b[r] = row[nv]
		}
		cost := make([]float64, len(lpCols))
		for _, j := range cols {
			if cv := vars[j]; cv.p >= 0 {
				if used[cv.p] {
					cost[at[cv.p]] = 1
				}
				if used[cv.n] {
					cost[at[cv.n]] = 1
				}
			}
		}
		x, err := simplex(cost, A, b)
		if errors.Is(err, errInfeasible) {
			return nil, lpNone
		}
		if err != nil {
			return nil, lpUnusable
		}
		val := func(k int) float64 {
			if !used[k] {
				return math.NaN()
			}
			return x[at[k]]
		}
		for _, j := range cols {
			u := val(vars[j].u)
			if math.IsNaN(u) {
				continue // unchanged
			}
			r := math.Round(u)
			if math.Abs(r-u) > 1e-6 {
				return nil, lpUnusable
			}
			if d := int64(r) - capOf(j); d != 0 {
				y[j] = d
			}
		}
	}
	if !w.holds(a, y) {
		return nil, lpUnusable
	}
	return y, lpFound
}

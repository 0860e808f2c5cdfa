package disclosure

import (
	"math"
	"math/big"
)

// elimination is what exact Gaussian elimination tells about a hidden pattern.
//
// The matrix has one row per relation (+1 on the total, -1 on each part) and one column per cell.
// It is reduced on the hidden columns only (every pivot column is zero outside its pivot row), so
// each row stays an integer combination of relations and its entries on the published columns say
// which published cells that combination uses. Hidden cell i is determined exactly when its pivot
// row has no other non-zero hidden entry: that row then reads p·x_i + Σ a_j·x_j = 0 over published
// j, and no other vector of the row space can isolate x_i (standard reduced-echelon argument).
//
// Rows are kept as primitive integer vectors (divided by the gcd of their entries), which keeps the
// entries tiny for the ±1 matrices of totals; int64 arithmetic is checked and, on overflow, the
// whole elimination is redone with math/big.
type elimination struct {
	derived []int         // hidden cells whose value is determined, ascending
	uses    map[int][]int // derived cell -> published cells its derivation uses (if asked)
}

func analyse(t Table, hidden []bool, withUses bool) elimination {
	if e, ok := analyse64(t, hidden, withUses); ok {
		return e
	}
	return analyseBig(t, hidden, withUses)
}

func hiddenColumns(hidden []bool) []int {
	var cols []int
	for i, h := range hidden {
		if h {
			cols = append(cols, i)
		}
	}
	return cols
}

func analyse64(t Table, hidden []bool, withUses bool) (elimination, bool) {
	n := len(t.Cells)
	rows := make([][]int64, len(t.Relations))
	for k, r := range t.Relations {
		row := make([]int64, n)
		row[r.Total]++
		for _, p := range r.Parts {
			row[p]--
		}
		rows[k] = row
	}
	cols := hiddenColumns(hidden)
	var pivotCol []int // pivotCol[r] is the pivot column of row r
	for _, c := range cols {
		next := len(pivotCol)
		best := -1
		for r := next; r < len(rows); r++ {
			if rows[r][c] != 0 && (best < 0 || abs64(rows[r][c]) < abs64(rows[best][c])) {
				best = r
			}
		}
		if best < 0 {
			continue
		}
		rows[next], rows[best] = rows[best], rows[next]
		for r := range rows {
			if r != next && rows[r][c] != 0 && !combine64(rows[r], rows[next], c) {
				return elimination{}, false
			}
		}
		pivotCol = append(pivotCol, c)
	}

	e := elimination{}
	if withUses {
		e.uses = map[int][]int{}
	}
	for r, c := range pivotCol {
		row := rows[r]
		if !isolates(cols, c, func(j int) bool { return row[j] != 0 }) {
			continue
		}
		e.derived = append(e.derived, c)
		if withUses {
			e.uses[c] = publishedUses(hidden, func(j int) bool { return row[j] != 0 })
		}
	}
	return e, true
}

// combine64 cancels row[c] with the pivot row, then makes row primitive again. It reports false
// on overflow (a result equal to MinInt64 counts as one, so that abs64 never overflows).
func combine64(row, piv []int64, c int) bool {
	g := gcd64(abs64(piv[c]), abs64(row[c]))
	a, b := piv[c]/g, row[c]/g
	var rg int64
	for j := range row {
		if piv[j] == 0 && row[j] == 0 {
			continue
		}
		x, ok1 := mul64(a, row[j])
		y, ok2 := mul64(b, piv[j])
		v, ok3 := sub64(x, y)
		if !ok1 || !ok2 || !ok3 || v == math.MinInt64 {
			return false
		}
		row[j] = v
		rg = gcd64(rg, abs64(v))
	}
	if rg > 1 {
		for j := range row {
			row[j] /= rg
		}
	}
	return true
}

func analyseBig(t Table, hidden []bool, withUses bool) elimination {
	n := len(t.Cells)
	rows := make([][]*big.Int, len(t.Relations))
	for k, r := range t.Relations {
		row := make([]*big.Int, n)
		for j := range row {
			row[j] = new(big.Int)
		}
		row[r.Total].SetInt64(1)
		for _, p := range r.Parts {
			row[p].Sub(row[p], big.NewInt(1))
		}
		rows[k] = row
	}
	cols := hiddenColumns(hidden)
	var pivotCol []int
	for _, c := range cols {
		next := len(pivotCol)
		best := -1
		for r := next; r < len(rows); r++ {
			if rows[r][c].Sign() != 0 && (best < 0 || rows[r][c].CmpAbs(rows[best][c]) < 0) {
				best = r
			}
		}
		if best < 0 {
			continue
		}
		rows[next], rows[best] = rows[best], rows[next]
		for r := range rows {
			if r != next && rows[r][c].Sign() != 0 {
				combineBig(rows[r], rows[next], c)
			}
		}
		pivotCol = append(pivotCol, c)
	}

	e := elimination{}
	if withUses {
		e.uses = map[int][]int{}
	}
	for r, c := range pivotCol {
		row := rows[r]
		if !isolates(cols, c, func(j int) bool { return row[j].Sign() != 0 }) {
			continue
		}
		e.derived = append(e.derived, c)
		if withUses {
			e.uses[c] = publishedUses(hidden, func(j int) bool { return row[j].Sign() != 0 })
		}
	}
	return e
}

func combineBig(row, piv []*big.Int, c int) {
	g := new(big.Int).GCD(nil, nil, new(big.Int).Abs(piv[c]), new(big.Int).Abs(row[c]))
	a := new(big.Int).Quo(piv[c], g)
	b := new(big.Int).Quo(row[c], g)
	rg := new(big.Int)
	y := new(big.Int)
	for j := range row {
		row[j].Mul(row[j], a)
		row[j].Sub(row[j], y.Mul(b, piv[j]))
		if row[j].Sign() != 0 {
			rg.GCD(nil, nil, rg, new(big.Int).Abs(row[j]))
		}
	}
	if rg.Cmp(big.NewInt(1)) > 0 {
		for j := range row {
			row[j].Quo(row[j], rg)
		}
	}
}

// isolates says whether c is the only hidden column with a non-zero entry.
func isolates(cols []int, c int, nonZero func(j int) bool) bool {
	for _, j := range cols {
		if j != c && nonZero(j) {
			return false
		}
	}
	return true
}

func publishedUses(hidden []bool, nonZero func(j int) bool) []int {
	var uses []int
	for j, h := range hidden {
		if !h && nonZero(j) {
			uses = append(uses, j)
		}
	}
	return uses
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// gcd64 of non-negative numbers; gcd64(0, x) = x.
func gcd64(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func mul64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	c := a * b
	if c/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	return c, true
}

func add64(a, b int64) (int64, bool) {
	c := a + b
	if (b > 0 && c < a) || (b < 0 && c > a) {
		return 0, false
	}
	return c, true
}

func sub64(a, b int64) (int64, bool) {
	c := a - b
	if (b > 0 && c > a) || (b < 0 && c < a) {
		return 0, false
	}
	return c, true
}

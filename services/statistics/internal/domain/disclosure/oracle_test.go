package disclosure

import (
	"math/big"

	"pgregory.net/rapid"
)

// certifiedDerivable is an independent oracle for Derivable, written with a different method
// (normalised reduced echelon form over big.Rat) and checked by plain arithmetic. For each hidden
// cell i it finds one of two witnesses, which cannot both exist:
//
//   - y with yᵀ·A_H = e_i: a combination of relations in which i is the only hidden cell, so its
//     value is fixed by the published ones (i is determined);
//   - z with A_H·z = 0 and z_i ≠ 0: then x + k·z (k clearing denominators) is another real
//     solution of every relation, equal to x on the published cells and different at i (i is
//     not determined).
//
// Each witness is verified directly against the relations before it is believed; if neither is
// found, the oracle itself is wrong and the test fails.
func certifiedDerivable(t *rapid.T, tab Table, hidden []bool) []int {
	cols := hiddenColumns(hidden)
	m, h := len(tab.Relations), len(cols)
	a := make([][]*big.Rat, m) // A_H: relation × hidden cell
	for k, r := range tab.Relations {
		a[k] = make([]*big.Rat, h)
		for j, c := range cols {
			a[k][j] = big.NewRat(coefficient(r, c), 1)
		}
	}

	// Nullspace basis of A_H from its reduced echelon form.
	red := cloneRat(a)
	pivots := rrefRat(red)
	isPivot := map[int]int{} // column -> row
	for r, c := range pivots {
		isPivot[c] = r
	}
	var basis [][]*big.Rat
	for f := range h {
		if _, ok := isPivot[f]; ok {
			continue
		}
		z := zerosRat(h)
		z[f].SetInt64(1)
		for r, c := range pivots {
			z[c].Neg(red[r][f])
		}
		basis = append(basis, z)
	}

	var out []int
	for j, cell := range cols {
		if z := firstNonZeroAt(basis, j); z != nil {
			checkOtherSolution(t, tab, cols, z, j)
			continue
		}
		y := solveTransposed(a, j)
		if y == nil {
			t.Fatalf("oracle: cell %d has neither witness", cell)
		}
		for jj := range h { // yᵀ·A_H must be exactly e_j
			s := new(big.Rat)
			for k := range m {
				s.Add(s, new(big.Rat).Mul(y[k], a[k][jj]))
			}
			want := int64(0)
			if jj == j {
				want = 1
			}
			if s.Cmp(big.NewRat(want, 1)) != 0 {
				t.Fatalf("oracle: bad certificate for cell %d", cell)
			}
		}
		out = append(out, cell)
	}
	return out
}

// checkOtherSolution scales z to integers and checks that x + z satisfies every relation, agrees
// with x on the published cells and differs at hidden column j.
func checkOtherSolution(t *rapid.T, tab Table, cols []int, z []*big.Rat, j int) {
	lcm := big.NewInt(1)
	for _, v := range z {
		d := v.Denom()
		g := new(big.Int).GCD(nil, nil, lcm, d)
		lcm.Mul(lcm, new(big.Int).Quo(d, g))
	}
	x := make([]*big.Int, len(tab.Cells))
	for i, v := range tab.Cells {
		x[i] = big.NewInt(v)
	}
	for jj, c := range cols {
		step := new(big.Rat).Mul(z[jj], new(big.Rat).SetInt(lcm))
		if !step.IsInt() {
			t.Fatalf("oracle: scaling failed")
		}
		x[c].Add(x[c], step.Num())
	}
	if x[cols[j]].Cmp(big.NewInt(tab.Cells[cols[j]])) == 0 {
		t.Fatalf("oracle: other solution does not differ at cell %d", cols[j])
	}
	for k, r := range tab.Relations {
		s := new(big.Int)
		for _, p := range r.Parts {
			s.Add(s, x[p])
		}
		if s.Cmp(x[r.Total]) != 0 {
			t.Fatalf("oracle: other solution breaks relation %d", k)
		}
	}
}

// solveTransposed finds y with yᵀ·a = e_j, or nil if there is none.
func solveTransposed(a [][]*big.Rat, j int) []*big.Rat {
	m := len(a)
	h := 0
	if m > 0 {
		h = len(a[0])
	}
	aug := make([][]*big.Rat, h) // aᵀ | e_j
	for r := range h {
		aug[r] = zerosRat(m + 1)
		for k := range m {
			aug[r][k].Set(a[k][r])
		}
		if r == j {
			aug[r][m].SetInt64(1)
		}
	}
	pivots := rrefRat(aug)
	if len(pivots) > 0 && pivots[len(pivots)-1] == m {
		return nil // a row 0 … 0 | 1: inconsistent
	}
	y := zerosRat(m)
	for r, c := range pivots {
		y[c].Set(aug[r][m])
	}
	return y
}

// rrefRat brings a to normalised reduced row echelon form in place and returns the pivot column
// of each leading row.
func rrefRat(a [][]*big.Rat) []int {
	var pivots []int
	if len(a) == 0 {
		return nil
	}
	r := 0
	for c := 0; c < len(a[0]) && r < len(a); c++ {
		p := -1
		for i := r; i < len(a); i++ {
			if a[i][c].Sign() != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		a[r], a[p] = a[p], a[r]
		inv := new(big.Rat).Inv(a[r][c])
		for k := range a[r] {
			a[r][k].Mul(a[r][k], inv)
		}
		for i := range a {
			if i == r || a[i][c].Sign() == 0 {
				continue
			}
			f := new(big.Rat).Set(a[i][c])
			for k := range a[i] {
				a[i][k].Sub(a[i][k], new(big.Rat).Mul(f, a[r][k]))
			}
		}
		pivots = append(pivots, c)
		r++
	}
	return pivots
}

func coefficient(r Relation, c int) int64 {
	var v int64
	if r.Total == c {
		v++
	}
	for _, p := range r.Parts {
		if p == c {
			v--
		}
	}
	return v
}

func firstNonZeroAt(basis [][]*big.Rat, j int) []*big.Rat {
	for _, z := range basis {
		if z[j].Sign() != 0 {
			return z
		}
	}
	return nil
}

func zerosRat(n int) []*big.Rat {
	v := make([]*big.Rat, n)
	for i := range v {
		v[i] = new(big.Rat)
	}
	return v
}

func cloneRat(a [][]*big.Rat) [][]*big.Rat {
	out := make([][]*big.Rat, len(a))
	for i, row := range a {
		out[i] = make([]*big.Rat, len(row))
		for j, v := range row {
			out[i][j] = new(big.Rat).Set(v)
		}
	}
	return out
}

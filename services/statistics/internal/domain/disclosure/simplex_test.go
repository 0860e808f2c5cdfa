package disclosure

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
	"pgregory.net/rapid"
)

// gonumLP solves the same programme with gonum's lp.Simplex, which wants full row rank and no
// zero column: the rows are reduced by independent first, and an inconsistent system (a dropped
// row that its combination contradicts) is reported infeasible here. A square system has one
// solution, which lp.Simplex rejects when rounding leaves a zero slightly negative: it is solved
// here with a tolerance.
func gonumLP(c []float64, A [][]float64, b []float64) (float64, error) {
	n := len(c)
	aug := make([][]float64, len(A))
	for r := range A {
		aug[r] = append(append([]float64(nil), A[r]...), b[r])
	}
	rows := independent(aug, n)
	if len(independent(aug, n+1)) > len(rows) {
		return 0, lp.ErrInfeasible
	}
	M := mat.NewDense(len(rows), n, nil)
	bb := make([]float64, len(rows))
	for r, row := range rows {
		for j := range n {
			M.Set(r, j, row[j])
		}
		bb[r] = row[n]
	}
	if len(rows) == n {
		var x mat.VecDense
		if err := x.SolveVec(M, mat.NewVecDense(n, bb)); err != nil {
			return 0, err
		}
		f := 0.0
		for j := range n {
			if x.AtVec(j) < -1e-9 {
				return 0, lp.ErrInfeasible
			}
			f += c[j] * x.AtVec(j)
		}
		return f, nil
	}
	f, _, err := lp.Simplex(c, M, bb, 1e-9, nil)
	return f, err
}

func TestSimplexMatchesGonum(t *testing.T) {
	var verdicts [4]int // optimal, infeasible, unbounded, Bland's rule throughout
	rapid.Check(t, func(t *rapid.T) {
		m := rapid.IntRange(1, 4).Draw(t, "m")
		n := rapid.IntRange(m, 7).Draw(t, "n")
		small := rapid.Int64Range(-3, 3)
		A := make([][]float64, m)
		for r := range A {
			A[r] = make([]float64, n)
			for j := range n {
				A[r][j] = float64(small.Draw(t, "a"))
			}
		}
		for j := range n { // gonum rejects a zero column
			zero := true
			for r := range m {
				zero = zero && A[r][j] == 0
			}
			if zero {
				A[rapid.IntRange(0, m-1).Draw(t, "row")][j] = 1
			}
		}
		b := make([]float64, m)
		if rapid.Bool().Draw(t, "feasible") {
			// b = A x0 for an integer x0 ≥ 0 with many zeros: feasible, often degenerate.
			x0 := make([]float64, n)
			for j := range x0 {
				x0[j] = float64(rapid.SampledFrom([]int64{0, 0, 0, 1, 2, 5}).Draw(t, "x0"))
			}
			for r := range m {
				for j := range n {
					b[r] += A[r][j] * x0[j]
				}
			}
		} else {
			for r := range b {
				b[r] = float64(rapid.Int64Range(-6, 6).Draw(t, "b"))
			}
		}
		// Redundant rows: integer combinations of two rows, right-hand side included.
		for range rapid.IntRange(0, 2).Draw(t, "redundant") {
			p, q := rapid.IntRange(0, m-1).Draw(t, "p"), rapid.IntRange(0, m-1).Draw(t, "q")
			f, g := float64(small.Draw(t, "f")), float64(small.Draw(t, "g"))
			row := make([]float64, n)
			for j := range n {
				row[j] = f*A[p][j] + g*A[q][j]
			}
			A = append(A, row)
			b = append(b, f*b[p]+g*b[q])
		}
		c := make([]float64, n)
		nonNegative := rapid.Bool().Draw(t, "bounded") // c ≥ 0: never unbounded
		for j := range c {
			v := small.Draw(t, "c")
			if nonNegative && v < 0 {
				v = -v
			}
			c[j] = float64(v)
		}
		stall := rapid.SampledFrom([]int{0, 50}).Draw(t, "stall")
		if stall == 0 {
			verdicts[3]++
		}

		want, gerr := gonumLP(c, A, b)
		x, err := simplexStall(c, A, b, stall)
		switch {
		case errors.Is(gerr, lp.ErrInfeasible):
			verdicts[1]++
			if !errors.Is(err, errInfeasible) {
				t.Fatalf("gonum: infeasible; simplex: x = %v, err = %v", x, err)
			}
			return
		case errors.Is(gerr, lp.ErrUnbounded):
			verdicts[2]++
			if !errors.Is(err, errUnbounded) {
				t.Fatalf("gonum: unbounded; simplex: x = %v, err = %v", x, err)
			}
			return
		case gerr != nil:
			t.Fatalf("gonum failed: %v", gerr)
		}
		verdicts[0]++
		if err != nil {
			t.Fatalf("gonum: optimum %v; simplex: %v", want, err)
		}
		got := 0.0
		for j, v := range x {
			if v < -1e-9 {
				t.Fatalf("x[%d] = %v < 0", j, v)
			}
			got += c[j] * v
		}
		for r := range A {
			ax := 0.0
			for j := range n {
				ax += A[r][j] * x[j]
			}
			if math.Abs(ax-b[r]) > 1e-7 {
				t.Fatalf("row %d: A x = %v, b = %v (x = %v)", r, ax, b[r], x)
			}
		}
		if math.Abs(got-want) > 1e-7*(1+math.Abs(want)) {
			t.Fatalf("optimum: simplex %v, gonum %v (x = %v)", got, want, x)
		}
	})
	t.Logf("optimal %d, infeasible %d, unbounded %d; Bland's rule throughout in %d", verdicts[0], verdicts[1], verdicts[2], verdicts[3])
	for k, v := range verdicts {
		if v == 0 {
			t.Errorf("no case of kind %d generated", k)
		}
	}
}

// Beale's example cycles under Dantzig's rule with the lowest-index tie break from the slack
// basis; the optimum is −5/4 at x = (3/4, 0, 0, 1, 0, 1, 0).
func TestSimplexBeale(t *testing.T) {
	c := []float64{0, 0, 0, -0.75, 20, -0.5, 6}
	A := [][]float64{
		{1, 0, 0, 0.25, -8, -1, 9},
		{0, 1, 0, 0.5, -12, -0.5, 3},
		{0, 0, 1, 0, 0, 1, 0},
	}
	b := []float64{0, 0, 1}
	for _, stall := range []int{0, 1, 50} {
		x, err := simplexStall(c, A, b, stall)
		if err != nil {
			t.Fatalf("stall %d: %v", stall, err)
		}
		f := 0.0
		for j := range c {
			f += c[j] * x[j]
		}
		if math.Abs(f+1.25) > 1e-9 {
			t.Errorf("stall %d: optimum %v, want -1.25 (x = %v)", stall, f, x)
		}
	}
}

// loadWitnessLP reads testdata/witness_lp.json: the largest programme solveAmong builds in the
// app's partial-data reproduction (the public yearly query after 160 of the seed's 377
// reports), rows sparse as [column, value] pairs.
func loadWitnessLP(tb testing.TB) (c []float64, A [][]float64, b []float64) {
	data, err := os.ReadFile("testdata/witness_lp.json")
	if err != nil {
		tb.Fatal(err)
	}
	var p struct {
		Cost []float64
		Rows [][][2]float64
		B    []float64
	}
	if err := json.Unmarshal(data, &p); err != nil {
		tb.Fatal(err)
	}
	A = make([][]float64, len(p.Rows))
	for r, es := range p.Rows {
		A[r] = make([]float64, len(p.Cost))
		for _, e := range es {
			A[r][int(e[0])] = e[1]
		}
	}
	return p.Cost, A, p.B
}

func TestSimplexWitnessLP(t *testing.T) {
	c, A, b := loadWitnessLP(t)
	want, err := gonumLP(c, A, b)
	if err != nil {
		t.Fatal(err)
	}
	x, err := simplex(c, A, b)
	if err != nil {
		t.Fatal(err)
	}
	got := 0.0
	for j := range c {
		got += c[j] * x[j]
	}
	if math.Abs(got-want) > 1e-7*(1+math.Abs(want)) {
		t.Fatalf("optimum %v, gonum %v", got, want)
	}
}

// BenchmarkWitnessLP compares gonum's lp.Simplex (after the row reduction it needs, as
// solveAmong did) and this package's tableau (on the rows as solveAmong builds them) on the
// witness programme of testdata (234 rows, 400 columns).
func BenchmarkWitnessLP(b *testing.B) {
	c, A, rhs := loadWitnessLP(b)
	b.Run("gonum", func(b *testing.B) {
		for b.Loop() {
			if _, err := gonumLP(c, A, rhs); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("tableau", func(b *testing.B) {
		for b.Loop() {
			if _, err := simplex(c, A, rhs); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// independent keeps a maximal set of linearly independent rows (on their first n entries), as
// gonum's simplex needs full row rank. (solveAmong used it for gonum; the tableau copes with
// redundant rows, and reducing them first cost more than it saved.)
func independent(rows [][]float64, n int) [][]float64 {
	var kept, basis [][]float64
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
			continue
		}
		f := v[p]
		for j := range n {
			v[j] /= f
		}
		for _, bv := range basis {
			if g := bv[p]; g != 0 {
				for j := range n {
					bv[j] -= g * v[j]
				}
			}
		}
		basis = append(basis, v)
		pivots = append(pivots, p)
		kept = append(kept, r)
	}
	return kept
}

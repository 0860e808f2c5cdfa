package domain

// The property tests run 100 cases each by default (fast enough for CI). For a deeper run
// (2000 checks take about 0.2 s in all, 10000 about 1 s):
//
//	go test ./internal/domain/ -rapid.checks=2000
//	go test ./internal/domain/ -rapid.checks=10000 -count=5
//
// A failure prints the seed and the shrunk case; replay it with -rapid.seed=<seed>.

import (
	"errors"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// ---------------------------------------------------------------------------------------------
// Worked examples a finance officer can check by hand.

func TestSplitWorkedExamples(t *testing.T) {
	tests := []struct {
		name    string
		total   int64
		weights func() ([]Weight, error)
		want    []Part
	}{
		{
			// 45 000,00 €: State 33 % = 14 850,00. Remainder 30 150,00; Département 50 % = 15 075,00;
			// the other 15 075,00 go 2:1 to the EPCIs = 10 050,00 and 5 025,00. No rounding.
			name:  "population rule, 45 000,00 €",
			total: 4_500_000,
			weights: func() ([]Weight, error) {
				return PopulationWeights("État", 3300, "Département", 5000,
					[]PopulationShare{{"EPCI A", 2}, {"EPCI B", 1}})
			},
			want: []Part{{"État", 1_485_000}, {"Département", 1_507_500}, {"EPCI A", 1_005_000}, {"EPCI B", 502_500}},
		},
		{
			// 1 000,00 €: State 33 % = 330,00; Département 60 % of 670,00 = 402,00; EPCI 40 % = 268,00.
			name:  "explicit rule, 33 % of 1 000,00 €",
			total: 100_000,
			weights: func() ([]Weight, error) {
				return ExplicitWeights("État", 3300, []Share{{"Département", 6000}, {"CC du Clunisois", 4000}})
			},
			want: []Part{{"État", 33_000}, {"Département", 40_200}, {"CC du Clunisois", 26_800}},
		},
		{
			// 1,00 € three ways: 33,33… cents each; floors 33+33+33 = 99; the cent left over goes to
			// the first name in alphabetical order, whatever the input order.
			name:    "100 cents three ways, tie broken by name",
			total:   100,
			weights: weightsOf("C", 1, "A", 1, "B", 1),
			want:    []Part{{"C", 33}, {"A", 34}, {"B", 33}},
		},
		{
			// 10,00 €: State 330; Département 50 % of 670 = 335; EPCIs 335/3 = 111,67 each: floors
			// 111×3 = 333, two cents left over, to A and B (equal fractions, broken by name).
			name:  "population rule, equal populations, two leftover cents",
			total: 1_000,
			weights: func() ([]Weight, error) {
				return PopulationWeights("État", 3300, "Département", 5000,
					[]PopulationShare{{"EPCI C", 500}, {"EPCI B", 500}, {"EPCI A", 500}})
			},
			want: []Part{{"État", 330}, {"Département", 335}, {"EPCI C", 111}, {"EPCI B", 112}, {"EPCI A", 112}},
		},
		{
			// 0,01 €: State quota 0,33 cent, Département 0,67 cent: the larger fraction takes the cent.
			name:  "one cent goes to the largest fraction, not the first name",
			total: 1,
			weights: func() ([]Weight, error) {
				return ExplicitWeights("A-État", 3300, []Share{{"B-Département", 10000}})
			},
			want: []Part{{"A-État", 0}, {"B-Département", 1}},
		},
		{
			// 0,02 € between weights 0, 1, 1, 1: quotas 0, 0,67, 0,67, 0,67; the zero weight, first by
			// name, still gets nothing.
			name:    "zero weight never gets a leftover cent",
			total:   2,
			weights: weightsOf("A", 0, "B", 1, "C", 1, "D", 1),
			want:    []Part{{"A", 0}, {"B", 1}, {"C", 1}, {"D", 0}},
		},
		{
			// A 0 % share is allowed and gets 0,00 €.
			name:  "zero share",
			total: 100_001,
			weights: func() ([]Weight, error) {
				return ExplicitWeights("État", 3300, []Share{{"Département", 10000}, {"CC", 0}})
			},
			want: []Part{{"État", 33_000}, {"Département", 67_001}, {"CC", 0}},
		},
		{
			// The Département takes the whole remainder; no EPCI is needed.
			name:  "population rule, département takes all the remainder",
			total: 999,
			weights: func() ([]Weight, error) {
				return PopulationWeights("État", 3300, "Département", 10000, nil)
			},
			want: []Part{{"État", 330}, {"Département", 669}}, // quotas 329,67 and 669,33
		},
		{
			// The largest total: exact arithmetic, no overflow.
			name:    "math.MaxInt64 cents in halves",
			total:   math.MaxInt64, // odd
			weights: weightsOf("B", 1, "A", 1),
			want:    []Part{{"B", math.MaxInt64 / 2}, {"A", math.MaxInt64/2 + 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := tt.weights()
			if err != nil {
				t.Fatalf("building weights: %v", err)
			}
			got, err := Split(tt.total, w)
			if err != nil {
				t.Fatalf("Split(%d, …) error: %v", tt.total, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Split(%d, …) = %v; want %v", tt.total, got, tt.want)
			}
		})
	}
}

func TestErrorsNameTheOffendingValue(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		sentinel error
		contains string
	}{
		{"shares 99 %", errOf(ExplicitWeights("État", 3300, []Share{{"Département", 5000}, {"CC", 4900}})),
			ErrSharesDoNotSumTo100, "shares sum to 9900 basis points; they must sum to 10000 (100 %)"},
		{"state over 100 %", errOf(ExplicitWeights("État", 10001, []Share{{"Département", 10000}})),
			ErrBasisPointsOutOfRange, "state share: basis points out of range 0..10000 (0 % to 100 %): got 10001"},
		{"negative share", errOf(ExplicitWeights("État", 3300, []Share{{"Département", 10001}, {"CC", -1}})),
			ErrBasisPointsOutOfRange, `shares[0] ("Département")`},
		{"state also a share", errOf(ExplicitWeights("État", 3300, []Share{{"État", 10000}})),
			ErrDuplicateFunder, `shares[0]: funder appears more than once: "État" is already given as state`},
		{"empty EPCI", errOf(PopulationWeights("État", 3300, "Département", 5000, []PopulationShare{{"", 1}})),
			ErrEmptyFunder, "epcis[0]: funder name is empty"},
		{"zero population", errOf(PopulationWeights("État", 3300, "Département", 5000, []PopulationShare{{"CC", 0}})),
			ErrPopulationNotPositive, `epcis[0] ("CC"): population must be greater than zero: 0`},
		{"no EPCI", errOf(PopulationWeights("État", 3300, "Département", 5000, nil)),
			ErrNoEPCI, "so EPCIs must share the other 5000"},
		{"negative total", errOf(Split(-5, mustWeights(weightsOf("A", 1)))),
			ErrNegativeTotal, "total is negative: -5 cents"},
		{"negative weight", errOf(Split(5, []Weight{{"A", big.NewInt(1)}, {"B", big.NewInt(-2)}})),
			ErrNegativeWeight, `weights[1] ("B"): weight is negative: -2`},
		{"nil weight", errOf(Split(5, []Weight{{"A", nil}})), ErrMissingWeight, `weights[0] ("A")`},
		{"all zero", errOf(Split(5, mustWeights(weightsOf("A", 0, "B", 0)))), ErrAllWeightsZero, "2 funders"},
		{"no weights", errOf(Split(5, nil)), ErrNoWeights, "no funder"},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.sentinel) {
			t.Errorf("%s: error = %v; want %v", tt.name, tt.err, tt.sentinel)
			continue
		}
		if !strings.Contains(tt.err.Error(), tt.contains) {
			t.Errorf("%s: error = %q; want it to contain %q", tt.name, tt.err, tt.contains)
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Properties of Split.

type splitCase struct {
	total   int64
	weights []Weight
}

// genTotal favours ordinary budgets, but also draws tiny totals (so that leftover cents are many
// compared with the total) and totals near math.MaxInt64 (overflow).
var genTotal = rapid.OneOf(
	rapid.Int64Range(0, 1_000_000_000_000),
	rapid.Int64Range(0, 100),
	rapid.Int64Range(math.MaxInt64-1_000_000, math.MaxInt64),
)

// genUnits draws many zeros and ties (0..3), ordinary weights up to 1e15, and weights far beyond
// 64 bits.
var genUnits = rapid.OneOf(
	rapid.Map(rapid.Int64Range(0, 3), big.NewInt),
	rapid.Map(rapid.Int64Range(0, 1_000_000_000_000_000), big.NewInt),
	rapid.Custom(func(t *rapid.T) *big.Int {
		u := big.NewInt(rapid.Int64Range(0, math.MaxInt64).Draw(t, "mantissa"))
		return u.Lsh(u, uint(rapid.IntRange(0, 80).Draw(t, "shift")))
	}),
)

// genNames draws 1..n distinct, non-empty funder names; short ones, so that name order matters.
func genNames(t *rapid.T, label string, minN, maxN int) []string {
	return rapid.SliceOfNDistinct(rapid.StringMatching(`[A-Za-z][a-z]{0,3}`), minN, maxN, rapid.ID[string]).Draw(t, label)
}

var genSplitCase = rapid.Custom(func(t *rapid.T) splitCase {
	names := genNames(t, "funders", 1, 30)
	weights := make([]Weight, len(names))
	nonZero := false
	for i, n := range names {
		weights[i] = Weight{Funder: n, Units: genUnits.Draw(t, "units")}
		nonZero = nonZero || weights[i].Units.Sign() > 0
	}
	if !nonZero {
		i := rapid.IntRange(0, len(weights)-1).Draw(t, "nonzero index")
		weights[i].Units = big.NewInt(rapid.Int64Range(1, 1_000_000_000_000_000).Draw(t, "nonzero units"))
	}
	return splitCase{total: genTotal.Draw(t, "total"), weights: weights}
})

func TestSplitPartsSumToTotalInInputOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genSplitCase.Draw(t, "case")
		before := cloneWeights(c.weights)
		parts := mustSplit(t, c.total, c.weights)
		if len(parts) != len(c.weights) {
			t.Fatalf("got %d parts for %d weights", len(parts), len(c.weights))
		}
		sum := new(big.Int)
		for i, p := range parts {
			if p.Funder != c.weights[i].Funder {
				t.Fatalf("parts[%d].Funder = %q; want %q (input order)", i, p.Funder, c.weights[i].Funder)
			}
			sum.Add(sum, big.NewInt(p.Cents))
		}
		if sum.Cmp(big.NewInt(c.total)) != 0 {
			t.Fatalf("parts sum to %s; want %d", sum, c.total)
		}
		if !reflect.DeepEqual(before, c.weights) {
			t.Fatalf("Split modified its weights")
		}
	})
}

func TestSplitPartIsFloorOrCeilingOfItsQuota(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genSplitCase.Draw(t, "case")
		parts := mustSplit(t, c.total, c.weights)
		sum := sumUnits(c.weights)
		for i, p := range parts {
			w := c.weights[i].Units
			lo, hi := quota(c.total, w, sum)
			if p.Cents < lo || p.Cents > hi {
				t.Fatalf("%q: %d cents; exact quota %d*%s/%s is in [%d, %d]", p.Funder, p.Cents, c.total, w, sum, lo, hi)
			}
			if w.Sign() == 0 && p.Cents != 0 {
				t.Fatalf("%q has weight 0 but got %d cents", p.Funder, p.Cents)
			}
		}
	})
}

func TestSplitDoesNotDependOnInputOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genSplitCase.Draw(t, "case")
		shuffled := rapid.Permutation(c.weights).Draw(t, "shuffled")
		want := byFunder(mustSplit(t, c.total, c.weights))
		got := byFunder(mustSplit(t, c.total, shuffled))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("shuffled input gives %v; want %v", got, want)
		}
	})
}

func TestSplitLargerWeightNeverGetsFewerCents(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genSplitCase.Draw(t, "case")
		parts := mustSplit(t, c.total, c.weights)
		for i := range parts {
			for j := range parts {
				if c.weights[i].Units.Cmp(c.weights[j].Units) > 0 && parts[i].Cents < parts[j].Cents {
					t.Fatalf("%q (weight %s) got %d cents, fewer than %q (weight %s) with %d",
						parts[i].Funder, c.weights[i].Units, parts[i].Cents,
						parts[j].Funder, c.weights[j].Units, parts[j].Cents)
				}
			}
		}
	})
}

// TestSplitLeftoverCentsGoToLargestRemainders pins Hamilton's rule itself, which the other
// properties allow variants of: a funder rounded down never has a larger fractional cent than one
// rounded up, nor an equal one with an earlier name.
func TestSplitLeftoverCentsGoToLargestRemainders(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genSplitCase.Draw(t, "case")
		parts := mustSplit(t, c.total, c.weights)
		sum := sumUnits(c.weights)
		rem := make([]*big.Int, len(parts))
		up := make([]bool, len(parts))
		for i, w := range c.weights {
			q, r := new(big.Int).QuoRem(new(big.Int).Mul(big.NewInt(c.total), w.Units), sum, new(big.Int))
			rem[i], up[i] = r, parts[i].Cents > q.Int64()
		}
		for i := range parts {
			for j := range parts {
				if !up[i] || up[j] {
					continue
				}
				if cmp := rem[j].Cmp(rem[i]); cmp > 0 || cmp == 0 && parts[j].Funder < parts[i].Funder {
					t.Fatalf("%q got a leftover cent (remainder %s/%s) but %q did not (remainder %s/%s)",
						parts[i].Funder, rem[i], sum, parts[j].Funder, rem[j], sum)
				}
			}
		}
	})
}

// ---------------------------------------------------------------------------------------------
// Properties of the two funding rules.

var genBP = rapid.OneOf(
	rapid.Int32Range(0, FullBP),
	rapid.SampledFrom([]int32{0, 3300, 5000, FullBP}),
)

// genShares draws 1..20 named shares summing to exactly 10000: the gaps between sorted cut points.
func genShares(t *rapid.T, state string) []Share {
	names := genNames(t, "share funders", 1, 20)
	for i, n := range names {
		if n == state {
			names[i] = n + "-share" // a share funder must not be the state
		}
	}
	cuts := rapid.SliceOfN(rapid.Int32Range(0, FullBP), len(names)-1, len(names)-1).Draw(t, "cuts")
	cuts = append(cuts, 0, FullBP)
	slices.Sort(cuts)
	shares := make([]Share, len(names))
	for i, n := range names {
		shares[i] = Share{Funder: n, BP: cuts[i+1] - cuts[i]}
	}
	return shares
}

func TestExplicitWeightsGiveEveryFunderItsShareWithinOneCent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		total := genTotal.Draw(t, "total")
		stateBP := genBP.Draw(t, "stateBP")
		shares := genShares(t, "État")
		w, err := ExplicitWeights("État", stateBP, shares)
		if err != nil {
			t.Fatalf("ExplicitWeights(%d, %v): %v", stateBP, shares, err)
		}
		parts := mustSplit(t, total, w)
		checkWithinOneCent(t, parts[0], total, int64(stateBP), FullBP)
		for i, s := range shares {
			checkWithinOneCent(t, parts[i+1], total, int64(FullBP-stateBP)*int64(s.BP), FullBP*FullBP)
		}
		checkSum(t, parts, total)
	})
}

func TestPopulationWeightsOrderEPCIsLikeTheirPopulations(t *testing.T) {
	genPopulation := rapid.OneOf(
		rapid.Int64Range(1, 100), // many ties
		rapid.Int64Range(1, 2_000_000),
		rapid.Int64Range(1, math.MaxInt64), // the sum overflows int64
	)
	rapid.Check(t, func(t *rapid.T) {
		total := genTotal.Draw(t, "total")
		stateBP := genBP.Draw(t, "stateBP")
		deptBP := genBP.Draw(t, "deptBP")
		names := genNames(t, "epci names", 1, 30)
		epcis := make([]PopulationShare, len(names))
		for i, n := range names {
			epcis[i] = PopulationShare{Funder: "CC " + n, Population: genPopulation.Draw(t, "population")}
		}
		w, err := PopulationWeights("État", stateBP, "Département", deptBP, epcis)
		if err != nil {
			t.Fatalf("PopulationWeights(%d, %d, %v): %v", stateBP, deptBP, epcis, err)
		}
		parts := mustSplit(t, total, w)
		checkSum(t, parts, total)
		checkWithinOneCent(t, parts[0], total, int64(stateBP), FullBP)
		checkWithinOneCent(t, parts[1], total, int64(FullBP-stateBP)*int64(deptBP), FullBP*FullBP)
		for i, a := range epcis {
			for j, b := range epcis {
				pa, pb := parts[2+i], parts[2+j]
				if a.Population > b.Population && pa.Cents < pb.Cents {
					t.Fatalf("%q (population %d) got %d cents, fewer than %q (population %d) with %d",
						a.Funder, a.Population, pa.Cents, b.Funder, b.Population, pb.Cents)
				}
				if a.Population == b.Population && pa.Cents-pb.Cents > 1 {
					t.Fatalf("%q and %q have the same population but get %d and %d cents", a.Funder, b.Funder, pa.Cents, pb.Cents)
				}
			}
		}
	})
}

// ---------------------------------------------------------------------------------------------
// Invalid inputs always fail with the right sentinel, never panic (rapid reports a panic as a
// failure).

func TestExplicitWeightsRejectInvalidInput(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		state, stateBP := "État", genBP.Draw(t, "stateBP")
		shares := genShares(t, state)
		var want error
		switch rapid.SampledFrom([]string{"9999", "10001", "bp", "duplicate", "state twice", "empty"}).Draw(t, "defect") {
		case "9999": // take one basis point from a non-zero share
			shares[indexWhere(t, len(shares), func(i int) bool { return shares[i].BP > 0 })].BP--
			want = ErrSharesDoNotSumTo100
		case "10001": // add one basis point to a share below 100 %, or add a 1 bp share
			if i := rapid.IntRange(0, len(shares)-1).Draw(t, "i"); shares[i].BP < FullBP {
				shares[i].BP++
			} else {
				shares = append(shares, Share{Funder: shares[i].Funder + "+", BP: 1})
			}
			want = ErrSharesDoNotSumTo100
		case "bp":
			bad := rapid.OneOf(rapid.Int32Range(math.MinInt32, -1), rapid.Int32Range(FullBP+1, math.MaxInt32)).Draw(t, "bad bp")
			if i := rapid.IntRange(-1, len(shares)-1).Draw(t, "where"); i < 0 {
				stateBP = bad
			} else {
				shares[i].BP = bad
			}
			want = ErrBasisPointsOutOfRange
		case "duplicate":
			shares = append(shares, Share{Funder: rapid.SampledFrom(shares).Draw(t, "dup").Funder, BP: 0})
			want = ErrDuplicateFunder
		case "state twice":
			shares[rapid.IntRange(0, len(shares)-1).Draw(t, "i")].Funder = state
			want = ErrDuplicateFunder
		case "empty":
			if rapid.Bool().Draw(t, "empty state") {
				state = ""
			} else {
				shares[rapid.IntRange(0, len(shares)-1).Draw(t, "i")].Funder = ""
			}
			want = ErrEmptyFunder
		}
		w, err := ExplicitWeights(state, stateBP, shares)
		if !errors.Is(err, want) || w != nil {
			t.Fatalf("ExplicitWeights(%q, %d, %v) = %v, %v; want error %v", state, stateBP, shares, w, err, want)
		}
	})
}

func TestPopulationWeightsRejectInvalidInput(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		state, dept := "État", "Département"
		stateBP, deptBP := genBP.Draw(t, "stateBP"), genBP.Draw(t, "deptBP")
		names := genNames(t, "epci names", 1, 10)
		epcis := make([]PopulationShare, len(names))
		for i, n := range names {
			epcis[i] = PopulationShare{Funder: "CC " + n, Population: rapid.Int64Range(1, math.MaxInt64).Draw(t, "population")}
		}
		pick := func() int { return rapid.IntRange(0, len(epcis)-1).Draw(t, "i") }
		var want error
		switch rapid.SampledFrom([]string{"population", "bp", "duplicate", "empty", "no epci"}).Draw(t, "defect") {
		case "population":
			epcis[pick()].Population = rapid.Int64Range(math.MinInt64, 0).Draw(t, "population <= 0")
			want = ErrPopulationNotPositive
		case "bp":
			bad := rapid.OneOf(rapid.Int32Range(math.MinInt32, -1), rapid.Int32Range(FullBP+1, math.MaxInt32)).Draw(t, "bad bp")
			if rapid.Bool().Draw(t, "state") {
				stateBP = bad
			} else {
				deptBP = bad
			}
			want = ErrBasisPointsOutOfRange
		case "duplicate": // an EPCI named like the State, the Département or another EPCI
			dup := rapid.SampledFrom([]string{state, dept, rapid.SampledFrom(epcis).Draw(t, "other").Funder}).Draw(t, "dup")
			epcis = append(epcis, PopulationShare{Funder: dup, Population: 1})
			want = ErrDuplicateFunder
		case "empty":
			switch rapid.IntRange(0, 2).Draw(t, "which") {
			case 0:
				state = ""
			case 1:
				dept = ""
			default:
				epcis[pick()].Funder = ""
			}
			want = ErrEmptyFunder
		case "no epci":
			deptBP = rapid.Int32Range(0, FullBP-1).Draw(t, "deptBP < 100 %")
			epcis = nil
			want = ErrNoEPCI
		}
		w, err := PopulationWeights(state, stateBP, dept, deptBP, epcis)
		if !errors.Is(err, want) || w != nil {
			t.Fatalf("PopulationWeights(%q, %d, %q, %d, %v) = %v, %v; want error %v", state, stateBP, dept, deptBP, epcis, w, err, want)
		}
	})
}

func TestSplitRejectsInvalidInput(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genSplitCase.Draw(t, "case")
		pick := func() int { return rapid.IntRange(0, len(c.weights)-1).Draw(t, "i") }
		var want error
		switch rapid.SampledFrom([]string{"total", "negative", "nil", "zero", "none", "duplicate", "empty"}).Draw(t, "defect") {
		case "total":
			c.total = rapid.Int64Range(math.MinInt64, -1).Draw(t, "negative total")
			want = ErrNegativeTotal
		case "negative":
			c.weights[pick()].Units = big.NewInt(rapid.Int64Range(math.MinInt64, -1).Draw(t, "negative units"))
			want = ErrNegativeWeight
		case "nil":
			c.weights[pick()].Units = nil
			want = ErrMissingWeight
		case "zero":
			for i := range c.weights {
				c.weights[i].Units = new(big.Int)
			}
			want = ErrAllWeightsZero
		case "none":
			c.weights = nil
			want = ErrNoWeights
		case "duplicate":
			c.weights = append(c.weights, Weight{Funder: c.weights[pick()].Funder, Units: big.NewInt(1)})
			want = ErrDuplicateFunder
		case "empty":
			c.weights[pick()].Funder = ""
			want = ErrEmptyFunder
		}
		parts, err := Split(c.total, c.weights)
		if !errors.Is(err, want) || parts != nil {
			t.Fatalf("Split(%d, %v) = %v, %v; want error %v", c.total, c.weights, parts, err, want)
		}
	})
}

// ---------------------------------------------------------------------------------------------
// Helpers.

func weightsOf(kv ...any) func() ([]Weight, error) {
	return func() ([]Weight, error) {
		var w []Weight
		for i := 0; i < len(kv); i += 2 {
			w = append(w, Weight{Funder: kv[i].(string), Units: big.NewInt(int64(kv[i+1].(int)))})
		}
		return w, nil
	}
}

func mustWeights(f func() ([]Weight, error)) []Weight {
	w, err := f()
	if err != nil {
		panic(err)
	}
	return w
}

func errOf[V any](_ V, err error) error { return err }

func mustSplit(t *rapid.T, total int64, w []Weight) []Part {
	parts, err := Split(total, w)
	if err != nil {
		t.Fatalf("Split(%d, %v): %v", total, w, err)
	}
	return parts
}

func sumUnits(w []Weight) *big.Int {
	s := new(big.Int)
	for _, x := range w {
		s.Add(s, x.Units)
	}
	return s
}

// quota returns floor and ceiling of total*num/den.
func quota(total int64, num, den *big.Int) (lo, hi int64) {
	q, r := new(big.Int).QuoRem(new(big.Int).Mul(big.NewInt(total), num), den, new(big.Int))
	lo = q.Int64()
	if r.Sign() != 0 {
		return lo, lo + 1
	}
	return lo, lo
}

func checkWithinOneCent(t *rapid.T, p Part, total, num, den int64) {
	t.Helper()
	lo, hi := quota(total, big.NewInt(num), big.NewInt(den))
	if p.Cents < lo || p.Cents > hi {
		t.Fatalf("%q: %d cents; want within one cent of %d*%d/%d, in [%d, %d]", p.Funder, p.Cents, total, num, den, lo, hi)
	}
}

func checkSum(t *rapid.T, parts []Part, total int64) {
	t.Helper()
	sum := new(big.Int)
	for _, p := range parts {
		sum.Add(sum, big.NewInt(p.Cents))
	}
	if sum.Cmp(big.NewInt(total)) != 0 {
		t.Fatalf("parts %v sum to %s; want %d", parts, sum, total)
	}
}

func byFunder(parts []Part) map[string]int64 {
	m := make(map[string]int64, len(parts))
	for _, p := range parts {
		m[p.Funder] = p.Cents
	}
	return m
}

func cloneWeights(w []Weight) []Weight {
	c := make([]Weight, len(w))
	for i, x := range w {
		c[i] = Weight{Funder: x.Funder, Units: new(big.Int).Set(x.Units)}
	}
	return c
}

func indexWhere(t *rapid.T, n int, ok func(int) bool) int {
	var idx []int
	for i := 0; i < n; i++ {
		if ok(i) {
			idx = append(idx, i)
		}
	}
	return rapid.SampledFrom(idx).Draw(t, "index")
}

package domain

import (
	"errors"
	"fmt"
	"math/big"
	"sort"
)

// FullBP is 100 % in basis points.
const FullBP = 10000

// Errors returned by Split, ExplicitWeights and PopulationWeights. They are always wrapped with a
// message naming the offending value (and its index when it comes from a list); test them with
// errors.Is.
var (
	ErrNegativeTotal         = errors.New("total is negative")
	ErrNoWeights             = errors.New("no funder to split between")
	ErrMissingWeight         = errors.New("weight has no units")
	ErrNegativeWeight        = errors.New("weight is negative")
	ErrAllWeightsZero        = errors.New("all weights are zero: nobody can receive the total")
	ErrEmptyFunder           = errors.New("funder name is empty")
	ErrDuplicateFunder       = errors.New("funder appears more than once")
	ErrBasisPointsOutOfRange = errors.New("basis points out of range 0..10000 (0 % to 100 %)")
	ErrSharesDoNotSumTo100   = errors.New("shares do not sum to 10000 basis points (100 %)")
	ErrPopulationNotPositive = errors.New("population must be greater than zero")
	ErrNoEPCI                = errors.New("no EPCI to share the rest of the remainder")
)

// Weight is one funder's claim on a total, as a non-negative integer; only ratios between the
// weights of one split matter. Units is a big.Int because exact weights built from basis points and
// populations (see PopulationWeights) can exceed 64 bits.
type Weight struct {
	Funder string
	Units  *big.Int
}

// Part is a funder's share of a total, in cents.
type Part struct {
	Funder string
	Cents  int64
}

// Share is a funder's explicit share of the remainder left after the State, in basis points.
type Share struct {
	Funder string
	BP     int32
}

// PopulationShare is an EPCI with the population by which it shares the rest of the remainder.
type PopulationShare struct {
	Funder     string
	Population int64
}

// Split divides total cents between weights by the largest-remainder method (Hamilton).
//
// Remainder rule. Let W be the sum of the weights. Each funder i first gets
// floor(total*w_i/W) cents and keeps the remainder r_i = total*w_i mod W (its fractional cent,
// scaled by W). The cents left over, L = total - sum of the floors, are fewer than the number of
// funders; they go one each to the L funders with the largest r_i, ties broken by funder name in
// ascending byte order. So the parts always sum to total exactly, every part is the floor or the
// ceiling of its exact quota total*w_i/W, a larger weight never gets fewer cents than a smaller
// one, and the result does not depend on the order of weights.
//
// A zero weight always gets exactly 0 cents: its remainder is 0, and only funders with r_i > 0
// are candidates for a leftover cent. There are always more than L of them, because
// sum r_i = L*W while each r_i < W.
//
// Arithmetic is exact (math/big), so any total up to math.MaxInt64 works and no part exceeds it.
// The parts are returned in the order of weights; weights are not modified.
//
// Errors: total < 0, no weights, a nil or negative weight, all weights zero, an empty or duplicate
// funder name.
func Split(total int64, weights []Weight) ([]Part, error) {
	if total < 0 {
		return nil, fmt.Errorf("%w: %d cents", ErrNegativeTotal, total)
	}
	if len(weights) == 0 {
		return nil, ErrNoWeights
	}
	sum := new(big.Int)
	seen := make(map[string]string, len(weights))
	for i, w := range weights {
		if err := checkFunder(seen, i, "weights", w.Funder); err != nil {
			return nil, err
		}
		if w.Units == nil {
			return nil, fmt.Errorf("weights[%d] (%q): %w", i, w.Funder, ErrMissingWeight)
		}
		if w.Units.Sign() < 0 {
			return nil, fmt.Errorf("weights[%d] (%q): %w: %s", i, w.Funder, ErrNegativeWeight, w.Units)
		}
		sum.Add(sum, w.Units)
	}
	if sum.Sign() == 0 {
		return nil, fmt.Errorf("%w (%d funders)", ErrAllWeightsZero, len(weights))
	}

	bigTotal := big.NewInt(total)
	parts := make([]Part, len(weights))
	rems := make([]*big.Int, len(weights))
	var candidates []int // funders with a fractional cent, the only ones that may get a leftover
	left := total
	for i, w := range weights {
		q, r := new(big.Int), new(big.Int)
		q.QuoRem(new(big.Int).Mul(bigTotal, w.Units), sum, r) // both operands >= 0: floor and remainder
		parts[i] = Part{Funder: w.Funder, Cents: q.Int64()}   // q <= total, so it fits
		left -= parts[i].Cents
		rems[i] = r
		if r.Sign() > 0 {
			candidates = append(candidates, i)
		}
	}
	sort.Slice(candidates, func(a, b int) bool {
		i, j := candidates[a], candidates[b]
		if c := rems[i].Cmp(rems[j]); c != 0 {
			return c > 0
		}
		return weights[i].Funder < weights[j].Funder
	})
	// left < len(candidates) by the argument in the doc comment, so this never runs out.
	for _, i := range candidates[:left] {
		parts[i].Cents++
	}
	return parts, nil
}

// ExplicitWeights builds exact weights for the explicit rule: the State gets stateBP/10000 of the
// total, and funder i gets (10000-stateBP)/10000 * shares[i].BP/10000 of it. Over the common
// denominator 10000² the weights are stateBP*10000 for the State and (10000-stateBP)*BP_i for
// funder i; they sum to 10000², so Split gives each funder its exact quota up to one cent.
//
// stateBP and every share must be in 0..10000, the shares must sum to exactly 10000, and the
// funders must be non-empty, distinct and different from the State. The State comes first in the
// result, then the shares in their order. A share of 0 is allowed; its funder gets 0 cents.
func ExplicitWeights(state string, stateBP int32, shares []Share) ([]Weight, error) {
	if err := checkBP("state share", stateBP); err != nil {
		return nil, err
	}
	seen := map[string]string{}
	if err := checkFunder(seen, -1, "state", state); err != nil {
		return nil, err
	}
	var sum int64
	for i, s := range shares {
		if err := checkFunder(seen, i, "shares", s.Funder); err != nil {
			return nil, err
		}
		if err := checkBP(fmt.Sprintf("shares[%d] (%q)", i, s.Funder), s.BP); err != nil {
			return nil, err
		}
		sum += int64(s.BP)
	}
	if sum != FullBP {
		return nil, fmt.Errorf("%w: shares sum to %d basis points; they must sum to 10000 (100 %%)",
			ErrSharesDoNotSumTo100, sum)
	}

	rest := int64(FullBP - stateBP)
	weights := make([]Weight, 0, 1+len(shares))
	weights = append(weights, Weight{Funder: state, Units: big.NewInt(int64(stateBP) * FullBP)})
	for _, s := range shares {
		weights = append(weights, Weight{Funder: s.Funder, Units: big.NewInt(rest * int64(s.BP))})
	}
	return weights, nil
}

// PopulationWeights builds exact weights for the population rule: the State gets stateBP/10000 of
// the total, the Département deptBP/10000 of the remainder, and EPCI j the rest pro rata to its
// population: (10000-stateBP)/10000 * (10000-deptBP)/10000 * P_j/P, where P is the sum of the
// populations. Over the common denominator 10000²*P the weights are
//
//	State        stateBP * 10000 * P
//	Département  (10000-stateBP) * deptBP * P
//	EPCI j       (10000-stateBP) * (10000-deptBP) * P_j
//
// which sum to 10000²*P. P can exceed 64 bits, hence big.Int.
//
// stateBP and deptBP must be in 0..10000, every population > 0, the funders non-empty and
// distinct, and there must be at least one EPCI unless deptBP is 10000. The result is the State,
// the Département, then the EPCIs in their order.
func PopulationWeights(state string, stateBP int32, departement string, deptBP int32, epcis []PopulationShare) ([]Weight, error) {
	if err := checkBP("state share", stateBP); err != nil {
		return nil, err
	}
	if err := checkBP("département share", deptBP); err != nil {
		return nil, err
	}
	seen := map[string]string{}
	if err := checkFunder(seen, -1, "state", state); err != nil {
		return nil, err
	}
	if err := checkFunder(seen, -1, "département", departement); err != nil {
		return nil, err
	}
	if len(epcis) == 0 && deptBP != FullBP {
		return nil, fmt.Errorf("%w: the département takes %d basis points of the remainder, so EPCIs must share the other %d",
			ErrNoEPCI, deptBP, FullBP-deptBP)
	}
	pop := new(big.Int)
	for i, e := range epcis {
		if err := checkFunder(seen, i, "epcis", e.Funder); err != nil {
			return nil, err
		}
		if e.Population <= 0 {
			return nil, fmt.Errorf("epcis[%d] (%q): %w: %d", i, e.Funder, ErrPopulationNotPositive, e.Population)
		}
		pop.Add(pop, big.NewInt(e.Population))
	}
	if len(epcis) == 0 {
		pop.SetInt64(1) // no EPCI term: any positive P keeps the State and Département ratios
	}

	rest := int64(FullBP - stateBP)
	mul := func(a, b int64, c *big.Int) *big.Int {
		return new(big.Int).Mul(big.NewInt(a*b), c) // a, b <= 10000: a*b fits in int64
	}
	weights := make([]Weight, 0, 2+len(epcis))
	weights = append(weights,
		Weight{Funder: state, Units: mul(int64(stateBP), FullBP, pop)},
		Weight{Funder: departement, Units: mul(rest, int64(deptBP), pop)},
	)
	for _, e := range epcis {
		weights = append(weights, Weight{Funder: e.Funder, Units: mul(rest, int64(FullBP-deptBP), big.NewInt(e.Population))})
	}
	return weights, nil
}

func checkBP(what string, bp int32) error {
	if bp < 0 || bp > FullBP {
		return fmt.Errorf("%s: %w: got %d", what, ErrBasisPointsOutOfRange, bp)
	}
	return nil
}

// checkFunder rejects an empty name or one already in seen, which maps each name to where it was
// given. index < 0 means list is a single field rather than a list.
func checkFunder(seen map[string]string, index int, list, funder string) error {
	where := list
	if index >= 0 {
		where = fmt.Sprintf("%s[%d]", list, index)
	}
	if funder == "" {
		return fmt.Errorf("%s: %w", where, ErrEmptyFunder)
	}
	if first, dup := seen[funder]; dup {
		return fmt.Errorf("%s: %w: %q is already given as %s", where, ErrDuplicateFunder, funder, first)
	}
	seen[funder] = where
	return nil
}

package disclosure

import (
	"errors"
	"fmt"
	"sort"
)

// Protect decides which cells to hide: the primary cells (counts from 1 to threshold-1), then
// complementary cells until no hidden cell is derivable (see Derivable). The heuristic, described
// in the package documentation, hides the smallest positive published count that a derivation of
// an exposed primary cell uses (ties: lowest index), never hides a 0, publishes again the
// complementary cells an attacker could compute anyway, then prunes the complementary cells that
// turn out unnecessary. The result is deterministic and Disclosed(t, hidden) is empty.
//
// threshold < 1 is an error (ErrInvalidThreshold); so is an invalid table (ErrInvalidTable).
// A threshold of 1 hides nothing.
func Protect(t Table, threshold int64) (hidden []bool, err error) {
	if threshold < 1 {
		return nil, fmt.Errorf("%w (got %d)", ErrInvalidThreshold, threshold)
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	n := len(t.Cells)
	primary := make([]bool, n)
	hidden = make([]bool, n)
	for i, v := range t.Cells {
		if v >= 1 && v < threshold {
			primary[i], hidden[i] = true, true
		}
	}

	// Greedy phase. Each round hides a new cell, so there are at most n rounds.
	var e elimination
	for round := 0; ; round++ {
		e = analyse(t, hidden, true)
		c, exposed := complement(t, primary, e)
		if !exposed {
			break
		}
		if c < 0 || round > n {
			// Unreachable for a valid table: a derivation of a count ≥ 1 uses a published
			// count ≥ 1. Refuse to publish rather than publish something unchecked.
			return nil, errors.New("disclosure: no complementary cell found; table left unpublished")
		}
		hidden[c] = true
	}
	for _, i := range e.derived {
		hidden[i] = false // only complementary cells are left derived: publishing them tells nothing new
	}

	for _, c := range pruneOrder(t, primary, hidden) {
		if !hidden[c] {
			continue // published again by an earlier step
		}
		hidden[c] = false
		derived := analyse(t, hidden, false).derived
		if anyOf(primary, derived) {
			hidden[c] = true
			continue
		}
		for _, i := range derived {
			hidden[i] = false
		}
	}
	return hidden, nil
}

// complement picks the cell to hide next. exposed says whether some primary cell is derivable;
// c is then the smallest positive published count its derivations use (lowest index on ties),
// or -1 if there is none.
func complement(t Table, primary []bool, e elimination) (c int, exposed bool) {
	c = -1
	for _, i := range e.derived {
		if !primary[i] {
			continue
		}
		exposed = true
		for _, j := range e.uses[i] {
			v := t.Cells[j]
			if v > 0 && (c < 0 || v < t.Cells[c] || (v == t.Cells[c] && j < c)) {
				c = j
			}
		}
	}
	return c, exposed
}

// pruneOrder lists the complementary cells, largest count first (lowest index on ties): giving
// back a large count first recovers the most information.
func pruneOrder(t Table, primary, hidden []bool) []int {
	var cs []int
	for i, h := range hidden {
		if h && !primary[i] {
			cs = append(cs, i)
		}
	}
	sort.SliceStable(cs, func(a, b int) bool { return t.Cells[cs[a]] > t.Cells[cs[b]] })
	return cs
}

func anyOf(set []bool, cells []int) bool {
	for _, i := range cells {
		if set[i] {
			return true
		}
	}
	return false
}

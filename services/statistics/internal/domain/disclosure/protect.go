package disclosure

import (
	"errors"
	"fmt"
	"sort"
)

// Fate fixes what happens to a cell before Protect decides the rest: a table protected in parts
// (a year, then its quarters, then their months) keeps the decisions of the parts already
// published.
type Fate uint8

// The fates of a cell.
const (
	// Free cells are Protect's to decide.
	Free Fate = iota
	// MustHide cells are hidden and protected like primary cells: none may be derivable.
	MustHide
	// MustPublish cells are published whatever happens; a primary cell may not be one.
	MustPublish
)

// ErrNoComplement means that a hidden cell is derivable from MustPublish cells alone: no free
// cell can be hidden to protect it. The caller must hide more (or publish less) and try again.
var ErrNoComplement = errors.New("disclosure: a hidden cell is derivable from cells that must be published")

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
	return ProtectWith(t, threshold, nil)
}

// ProtectWith is Protect with some cells' fate fixed in advance (fates is nil or has one entry
// per cell). MustHide cells are hidden and kept underivable, as primary cells are; MustPublish
// cells are never hidden, and complementary cells are chosen among the Free ones only. A primary
// cell marked MustPublish is an error (ErrInvalidTable); a hidden cell that only MustPublish cells
// expose gives ErrNoComplement.
func ProtectWith(t Table, threshold int64, fates []Fate) (hidden []bool, err error) {
	if threshold < 1 {
		return nil, fmt.Errorf("%w (got %d)", ErrInvalidThreshold, threshold)
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	n := len(t.Cells)
	if fates == nil {
		fates = make([]Fate, n)
	}
	if len(fates) != n {
		return nil, fmt.Errorf("%w: %d fates for %d cells", ErrInvalidTable, len(fates), n)
	}
	// protected are the cells that must stay underivable: the primary ones and those the caller
	// hid. Only free cells may be hidden, or published again, by the steps below.
	protected := make([]bool, n)
	hidden = make([]bool, n)
	for i, v := range t.Cells {
		primary := v >= 1 && v < threshold
		if primary && fates[i] == MustPublish {
			return nil, fmt.Errorf("%w: cell %d (%d) is below the threshold but must be published", ErrInvalidTable, i, v)
		}
		if primary || fates[i] == MustHide {
			protected[i], hidden[i] = true, true
		}
	}
	free := func(i int) bool { return fates[i] == Free }

	// Greedy phase. Each round hides a new cell, so there are at most n rounds.
	var e elimination
	for round := 0; ; round++ {
		e = analyse(t, hidden, true)
		c, exposed := complement(t, protected, free, e)
		if !exposed {
			break
		}
		if c < 0 {
			if allFree(fates) {
				// Unreachable for a valid table: a derivation of a count ≥ 1 uses a published
				// count ≥ 1. Refuse to publish rather than publish something unchecked.
				return nil, errors.New("disclosure: no complementary cell found; table left unpublished")
			}
			return nil, ErrNoComplement
		}
		if round > n {
			return nil, errors.New("disclosure: protection did not converge; table left unpublished")
		}
		hidden[c] = true
	}
	for _, i := range e.derived {
		if free(i) {
			hidden[i] = false // only complementary cells are left derived: publishing them tells nothing new
		}
	}

	for _, c := range pruneOrder(t, protected, hidden, free) {
		if !hidden[c] {
			continue // published again by an earlier step
		}
		hidden[c] = false
		derived := analyse(t, hidden, false).derived
		if anyOf(protected, derived) {
			hidden[c] = true
			continue
		}
		for _, i := range derived {
			if free(i) {
				hidden[i] = false
			}
		}
	}
	return hidden, nil
}

func allFree(fates []Fate) bool {
	for _, f := range fates {
		if f != Free {
			return false
		}
	}
	return true
}

// complement picks the cell to hide next. exposed says whether some protected cell is derivable;
// c is then the smallest positive free published count its derivations use (lowest index on
// ties), or -1 if there is none.
func complement(t Table, protected []bool, free func(int) bool, e elimination) (c int, exposed bool) {
	c = -1
	for _, i := range e.derived {
		if !protected[i] {
			continue
		}
		exposed = true
		for _, j := range e.uses[i] {
			v := t.Cells[j]
			if v > 0 && free(j) && (c < 0 || v < t.Cells[c] || (v == t.Cells[c] && j < c)) {
				c = j
			}
		}
	}
	return c, exposed
}

// pruneOrder lists the free complementary cells, largest count first (lowest index on ties):
// giving back a large count first recovers the most information.
func pruneOrder(t Table, protected, hidden []bool, free func(int) bool) []int {
	var cs []int
	for i, h := range hidden {
		if h && !protected[i] && free(i) {
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

package disclosure

import (
	"errors"
	"fmt"
)

// DefaultThreshold is the product's threshold: counts from 1 to 4 are hidden.
const DefaultThreshold int64 = 5

// The errors of this package. Wrapped with the detail, so errors.Is finds them at the edge.
var (
	ErrInvalidTable     = errors.New("disclosure: invalid table")
	ErrInvalidThreshold = errors.New("disclosure: threshold must be at least 1")
)

// Table is a set of non-negative integer cells tied by additive relations.
type Table struct {
	Cells     []int64
	Relations []Relation
}

// Relation says Cells[Total] = sum of Cells[Parts] (the values must already satisfy it).
type Relation struct {
	Total int
	Parts []int
}

// Validate checks that every index is in range, that no cell is its own part and no part is
// listed twice, that every value is non-negative and that every relation holds (without int64
// overflow). It reports the first problem found.
func (t Table) Validate() error {
	n := len(t.Cells)
	for i, v := range t.Cells {
		if v < 0 {
			return fmt.Errorf("%w: cell %d is negative (%d)", ErrInvalidTable, i, v)
		}
	}
	for k, r := range t.Relations {
		if r.Total < 0 || r.Total >= n {
			return fmt.Errorf("%w: relation %d: total %d out of range [0,%d)", ErrInvalidTable, k, r.Total, n)
		}
		seen := make(map[int]bool, len(r.Parts))
		var sum int64
		for _, p := range r.Parts {
			switch {
			case p < 0 || p >= n:
				return fmt.Errorf("%w: relation %d: part %d out of range [0,%d)", ErrInvalidTable, k, p, n)
			case p == r.Total:
				return fmt.Errorf("%w: relation %d: cell %d is both the total and a part", ErrInvalidTable, k, p)
			case seen[p]:
				return fmt.Errorf("%w: relation %d: part %d is listed twice", ErrInvalidTable, k, p)
			}
			seen[p] = true
			s, ok := add64(sum, t.Cells[p])
			if !ok {
				return fmt.Errorf("%w: relation %d: the sum of its parts overflows int64", ErrInvalidTable, k)
			}
			sum = s
		}
		if sum != t.Cells[r.Total] {
			return fmt.Errorf("%w: relation %d: cell %d = %d but its parts sum to %d",
				ErrInvalidTable, k, r.Total, t.Cells[r.Total], sum)
		}
	}
	return nil
}

// checkMask panics when hidden does not match the table: a mask of the wrong length is a
// programming error, and guessing what the missing flags mean would be unsafe.
func (t Table) checkMask(hidden []bool) {
	if len(hidden) != len(t.Cells) {
		panic(fmt.Sprintf("disclosure: hidden has %d flags for %d cells", len(hidden), len(t.Cells)))
	}
}

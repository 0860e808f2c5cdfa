package disclosure

import "pgregory.net/rapid"

// DrawTable draws a table of one of the property tests' shapes (grid, tree, cross, general), for
// the tests of package disclosure_test, which use the attacker of package attack.
func DrawTable(t *rapid.T, lo, hi int64) Table {
	sh := rapid.SampledFrom(shapes).Draw(t, "shape")
	return sh.draw(t, lo, hi)
}

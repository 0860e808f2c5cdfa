package disclosure

// Derivable returns, in ascending order, the hidden cells whose exact value follows from the
// published cells and the relations: cell i is determined iff the unit vector e_i lies in the row
// space of the relations' coefficient matrix restricted to the hidden columns. The computation is
// exact (integer elimination, math/big on overflow) and uses only the table's structure, not its
// values, so it answers for every table of the same shape.
//
// t must pass Validate; hidden must have one flag per cell (it panics otherwise).
func Derivable(t Table, hidden []bool) []int {
	t.checkMask(hidden)
	return analyse(t, hidden, false).derived
}

// Disclosed returns, in ascending order, the hidden cells an attacker can recover from the
// published cells, the relations and one consequence of non-negativity: when a relation's total
// is known and equals the sum of its known parts, its hidden parts sum to 0, so each is 0. Cells
// learnt either way count as known and the analysis is repeated until nothing new is learnt.
// Disclosed is a superset of Derivable; it is the check to run before publishing a pattern that
// Protect did not compute (on Protect's own output the two are equal, and empty).
//
// t must pass Validate; hidden must have one flag per cell (it panics otherwise).
func Disclosed(t Table, hidden []bool) []int {
	t.checkMask(hidden)
	unknown := append([]bool(nil), hidden...)
	for {
		known := make([]bool, len(unknown))
		for i, u := range unknown {
			known[i] = !u
		}
		derived := analyse(t, unknown, false).derived
		for _, i := range derived {
			known[i] = true
		}
		forced := false
		for _, r := range t.Relations {
			if !known[r.Total] {
				continue
			}
			rest := t.Cells[r.Total]
			var open []int
			for _, p := range r.Parts {
				if known[p] {
					rest -= t.Cells[p]
				} else {
					open = append(open, p)
				}
			}
			if rest == 0 && len(open) > 0 {
				for _, p := range open {
					unknown[p], known[p] = false, true
				}
				forced = true
			}
		}
		if !forced {
			var out []int
			for i, h := range hidden {
				if h && known[i] {
					out = append(out, i)
				}
			}
			return out
		}
	}
}

package domain

import "sort"

// Figure is a network's figure for a period after roll-up: the counts, and whether they are the
// sum of the period's sub-periods (Derived) or the period's own report.
type Figure struct {
	Counts  Counts
	Derived bool
}

// Figures are a network's figures, by period.
type Figures map[Period]Figure

// RollUp computes a network's figures from the latest revision of each of its reports: a
// period's figure is the sum of its sub-periods' figures when every one of them has a figure (a
// quarter from its three months, a year from its four quarters, recursively); otherwise the
// period's own report; otherwise there is none. The finest complete set of reports wins, and a
// coarser report fills in where finer ones are missing.
func RollUp(reports []*Report) Figures {
	own := map[Period]Counts{}
	years := map[int]bool{}
	for _, r := range reports {
		own[r.Period] = r.Counts
		years[r.Period.Year()] = true
	}
	figs := Figures{}
	var visit func(p Period) (Figure, bool)
	visit = func(p Period) (Figure, bool) {
		children := p.Children()
		sum, complete := ZeroCounts(), len(children) > 0
		for _, c := range children {
			f, ok := visit(c) // every sub-period is visited, so each gets its figure
			if !ok {
				complete = false
				continue
			}
			sum.Accumulate(f.Counts)
		}
		var f Figure
		switch counts, ok := own[p]; {
		case complete:
			f = Figure{Counts: sum, Derived: true}
		case ok:
			f = Figure{Counts: counts}
		default:
			return Figure{}, false
		}
		figs[p] = f
		return f, true
	}
	for y := range years {
		visit(YearPeriod(y))
	}
	return figs
}

// Superseded reports whether a network's own report for p is replaced by the sum of its
// sub-periods' figures (p's figure is derived).
func (f Figures) Superseded(p Period) bool { return f[p].Derived }

// networkIDs lists the networks of a map in order, so that tables are built the same way every
// time.
func networkIDs[T any](m map[string]T) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

package domain

import (
	"errors"
	"fmt"

	"github.com/vif71/vif/services/statistics/internal/domain/disclosure"
)

// How figures are protected
//
// Every figure that leaves the service to a caller not entitled to raw counts is a cell of one
// table per year, whose additive relations are everything a reader knows ties the figures
// together:
//
//   - for each period p (the year, its quarters, its months): the département's victims are the
//     sum of the victims of the networks that have a figure for p, likewise the children exposed;
//   - for the year: each breakdown of the département sums to its victims;
//   - for each network whose figure for a period is the sum of its sub-periods (see RollUp): that
//     figure is the sum of theirs, for the victims and for the children; and where the
//     département's figure is the sum of its sub-periods' (the same networks report each of
//     them, all by sub-period), so is the département's.
//
// Two kinds of figures are withheld by rule rather than by this table, because the table cannot
// protect them: a network's own breakdowns, and the département's breakdowns of a quarter or a
// month. Both are sums over each network's buckets, and a network's buckets are tied across
// periods (its year's buckets are the sums of its months'): a bucket of 0 here and a network
// alone in reporting there pin down one network's buckets, and through the roll-up another
// network's small count. Within one year alone this cannot happen (a table of networks by
// buckets whose margins are protected gives away no bucket but a 0 or a published margin), so
// the département's yearly breakdowns are published, protected, and the finer ones only to
// entitled callers. The property tests check all of it against a model with every network's
// every bucket.
//
// The table is protected top-down, as statistical offices protect hierarchical tables (the
// HiTaS approach): first the year's figures alone, then the quarters with the year's decisions
// fixed, then each quarter's months with the quarter's decisions fixed. A figure's fate never
// depends on how deep a query looks, so a yearly and a monthly answer agree cell for cell and
// publishing both tells no more than the monthly one. After each level the whole table down to
// that level is checked with disclosure.Disclosed; if anything could be recomputed, the level's
// positive figures are hidden, then all of them, and if even that fails nothing is published.
//
// Known limit: the attacker is a reader of the published figures. A coordinator who also knows
// their own network's raw counts knows more: where one of their figures is the complement that
// protects another network's small count, they can recompute it (statistical offices call this
// the respondent's attack). Guarding against it means protecting each year once more per
// network, with that network's figures known; it is not done.

// cellKind says what a cell counts.
type cellKind uint8

const (
	victimsCell cellKind = iota
	childrenCell
	bucketCell
)

// cellKey names a figure: what it counts, whose (a network id, "" for the département), and
// when.
type cellKey struct {
	kind        cellKind
	network     string
	dim, bucket int
	period      Period
}

// yearTable is what protection knows of one year: each network's figures.
type yearTable struct {
	year    int
	figures map[string]Figures // by network id
	ids     []string           // networks with any figure, in order
}

// members lists the networks with a figure for p, in order.
func (y *yearTable) members(p Period) []string {
	var out []string
	for _, id := range y.ids {
		if _, ok := y.figures[id][p]; ok {
			out = append(out, id)
		}
	}
	return out
}

// deptRollsUp reports whether the département's figure for P is the sum of its sub-periods':
// the same networks have a figure for P and for each sub-period, all of them by sub-period.
func (y *yearTable) deptRollsUp(P Period) bool {
	ms := y.members(P)
	if len(ms) == 0 {
		return false
	}
	for _, id := range ms {
		if !y.figures[id][P].Derived {
			return false
		}
	}
	for _, c := range P.Children() {
		if len(y.members(c)) != len(ms) {
			return false // a derived member has every sub-period, so equal sizes mean equal sets
		}
	}
	return true
}

// builder assembles a disclosure table cell by cell.
type builder struct {
	t     disclosure.Table
	keys  []cellKey
	index map[cellKey]int
	fates []disclosure.Fate
}

func newBuilder() *builder { return &builder{index: map[cellKey]int{}} }

func (b *builder) add(k cellKey, v int64, fate disclosure.Fate) int {
	if i, ok := b.index[k]; ok {
		return i
	}
	b.index[k] = len(b.keys)
	b.keys = append(b.keys, k)
	b.t.Cells = append(b.t.Cells, v)
	b.fates = append(b.fates, fate)
	return len(b.keys) - 1
}

// at is the index of a cell that must already be in the table: a relation that named a missing
// cell would tie the wrong figures together.
func (b *builder) at(k cellKey) int {
	i, ok := b.index[k]
	if !ok {
		panic(fmt.Sprintf("statistics: relation names a missing cell %+v", k))
	}
	return i
}

func (b *builder) relate(total int, parts []int) {
	b.t.Relations = append(b.t.Relations, disclosure.Relation{Total: total, Parts: parts})
}

// addPeriod adds the cells of period p and the relations within it; fate gives each new cell's
// fate. It adds nothing when no network has a figure for p.
func (y *yearTable) addPeriod(b *builder, p Period, fate func(cellKey) disclosure.Fate) {
	ms := y.members(p)
	if len(ms) == 0 {
		return
	}
	cell := func(k cellKey, v int64) int { return b.add(k, v, fate(k)) }
	total := ZeroCounts()
	var victims, children []int
	for _, id := range ms {
		c := y.figures[id][p].Counts
		total.Accumulate(c)
		victims = append(victims, cell(cellKey{kind: victimsCell, network: id, period: p}, c.Victims))
		children = append(children, cell(cellKey{kind: childrenCell, network: id, period: p}, c.Children))
	}
	t := cell(cellKey{kind: victimsCell, period: p}, total.Victims)
	b.relate(t, victims)
	b.relate(cell(cellKey{kind: childrenCell, period: p}, total.Children), children)
	if p.Granularity() != Year {
		return // finer breakdowns are withheld (see above)
	}
	for d, dim := range Dimensions {
		parts := make([]int, len(dim.Buckets))
		for k := range dim.Buckets {
			parts[k] = cell(cellKey{kind: bucketCell, dim: d, bucket: k, period: p}, total.Breakdowns[d][k])
		}
		b.relate(t, parts)
	}
}

// link adds the relations between P and its sub-periods, whose cells must all be in b.
func (y *yearTable) link(b *builder, P Period) {
	children := P.Children()
	sum := func(k cellKey) {
		parts := make([]int, len(children))
		for i, c := range children {
			ck := k
			ck.period = c
			parts[i] = b.at(ck)
		}
		b.relate(b.at(k), parts)
	}
	for _, id := range y.members(P) {
		if y.figures[id][P].Derived {
			sum(cellKey{kind: victimsCell, network: id, period: P})
			sum(cellKey{kind: childrenCell, network: id, period: P})
		}
	}
	if y.deptRollsUp(P) {
		sum(cellKey{kind: victimsCell, period: P})
		sum(cellKey{kind: childrenCell, period: P})
	}
}

// errUnpublishable is wrapped with the year.
func errUnpublishable(year int, why error) error {
	return fmt.Errorf("%w: year %d: %v", ErrUnpublishable, year, why)
}

// protect computes which of the year's figures to hide, down to depth.
func (y *yearTable) protect(depth Granularity, threshold int64) (map[cellKey]bool, error) {
	hidden := map[cellKey]bool{}
	free := func(cellKey) disclosure.Fate { return disclosure.Free }
	fixed := func(k cellKey) disclosure.Fate {
		if hidden[k] {
			return disclosure.MustHide
		}
		return disclosure.MustPublish
	}
	yp := YearPeriod(y.year)

	// The year alone: a table without fixed cells, which Protect always solves.
	b := newBuilder()
	y.addPeriod(b, yp, free)
	h, err := disclosure.Protect(b.t, threshold)
	if err != nil {
		return nil, errUnpublishable(y.year, err)
	}
	record(hidden, b, h)

	// Then each level below, block by block: a parent with its fate fixed and its sub-periods.
	parents := []Period{yp}
	for g := Quarter; g <= depth; g++ {
		var level []cellKey
		for _, P := range parents {
			b := newBuilder()
			y.addPeriod(b, P, fixed)
			for _, c := range P.Children() {
				y.addPeriod(b, c, free)
			}
			if len(b.keys) == 0 {
				continue
			}
			y.link(b, P)
			h, err := disclosure.ProtectWith(b.t, threshold, b.fates)
			if errors.Is(err, disclosure.ErrNoComplement) {
				h = hideFree(b, func(v int64) bool { return v > 0 })
			} else if err != nil {
				return nil, errUnpublishable(y.year, err)
			}
			record(hidden, b, h)
			for i, k := range b.keys {
				if b.fates[i] == disclosure.Free {
					level = append(level, k)
				}
			}
		}
		if err := y.check(g, hidden, level); err != nil {
			return nil, err
		}
		var next []Period
		for _, P := range parents {
			next = append(next, P.Children()...)
		}
		parents = next
	}
	return hidden, nil
}

// check verifies the whole table down to depth; when a hidden figure could be recomputed, it
// hides the level's positive figures, then all of them, and checks again.
func (y *yearTable) check(depth Granularity, hidden map[cellKey]bool, level []cellKey) error {
	b := newBuilder()
	free := func(cellKey) disclosure.Fate { return disclosure.Free }
	var walk func(P Period)
	walk = func(P Period) {
		y.addPeriod(b, P, free)
		if P.Granularity() >= depth {
			return
		}
		for _, c := range P.Children() {
			walk(c)
		}
		if len(y.members(P)) > 0 {
			y.link(b, P)
		}
	}
	walk(YearPeriod(y.year))
	safe := func() bool {
		mask := make([]bool, len(b.keys))
		for i, k := range b.keys {
			mask[i] = hidden[k]
		}
		return len(disclosure.Disclosed(b.t, mask)) == 0
	}
	if safe() {
		return nil
	}
	for _, positiveOnly := range []bool{true, false} {
		for _, k := range level {
			if !positiveOnly || b.t.Cells[b.index[k]] > 0 {
				hidden[k] = true
			}
		}
		if safe() {
			return nil
		}
	}
	return errUnpublishable(y.year, errors.New("no safe pattern"))
}

// hideFree hides the free cells whose value passes keep, and keeps the fixed cells' fate.
func hideFree(b *builder, keep func(int64) bool) []bool {
	h := make([]bool, len(b.keys))
	for i := range b.keys {
		switch b.fates[i] {
		case disclosure.MustHide:
			h[i] = true
		case disclosure.Free:
			h[i] = keep(b.t.Cells[i])
		}
	}
	return h
}

// record copies a block's decisions for its free cells into hidden.
func record(hidden map[cellKey]bool, b *builder, h []bool) {
	for i, k := range b.keys {
		if b.fates[i] == disclosure.Free && h[i] {
			hidden[k] = true
		}
	}
}

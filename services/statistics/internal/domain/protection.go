package domain

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"sync"

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
// Intervals and respondents. After each level's pattern is fixed, disclosure.Widen gives every
// hidden figure of that level a feasible interval at least the protection level wide (the
// threshold: 5 by default, so never inside 1..threshold-1), against the public and
// against each network's coordinator, who knows their own network's raw figures and so their
// part of every département figure (a département figure of which that part leaves a count
// from 1 to threshold-1 is hidden as primary). The witnesses of one level (integer shifts of
// hidden figures that keep every relation) are carried to the next and extended to its
// sub-periods, so that they hold in the whole table down to the query's depth; a level whose
// witnesses cannot be extended hides all of its figures, and if even that fails nothing is
// published. One pattern serves every viewer: a coordinator sees it with their own network raw,
// which tells them nothing the protection did not assume they knew.
//
// Successive states of the reports are tied together by releases (release.go): what was
// published once stays known to the attacker of every later state.

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
	release     int // in the union of a year's releases (see release.go): the first with the value; else 0
}

// yearTable is what protection knows of one year: each network's figures.
type yearTable struct {
	year    int
	figures map[string]Figures // by network id
	ids     []string           // networks with any figure, in order
	values  map[cellKey]int64  // the département's figures computed so far (see value)
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

// protect computes which of the year's figures to hide, down to depth: first so that no hidden
// figure can be recomputed (Protect, level by level), then so that each keeps a feasible interval
// at least the protection level wide, against the public and against each network's coordinator
// (disclosure.Widen, with the witnesses of each level carried down to the next).
func (y *yearTable) protect(depth Granularity, threshold int64) (map[cellKey]bool, error) {
	hidden := map[cellKey]bool{}
	fixed := func(k cellKey) disclosure.Fate {
		if hidden[k] {
			return disclosure.MustHide
		}
		return disclosure.MustPublish
	}
	// A département figure of which a coordinator knows all but a small count (their own part
	// subtracted) is hidden like a small count: it is primary against that respondent.
	levelFate := func(k cellKey) disclosure.Fate {
		if y.respondentPrimary(k, threshold) {
			return disclosure.MustHide
		}
		return disclosure.Free
	}
	yp := YearPeriod(y.year)

	// The year alone: a table without fixed cells, which Protect always solves.
	b := newBuilder()
	y.addPeriod(b, yp, levelFate)
	h, err := disclosure.ProtectWith(b.t, threshold, b.fates)
	if err != nil {
		return nil, errUnpublishable(y.year, err)
	}
	unfix(b, nil)
	_, ws, err := disclosure.Widen(b.t, h, nil, threshold, y.attackers(b), nil)
	if err != nil {
		return nil, errUnpublishable(y.year, err)
	}
	record(hidden, b, h)
	var pool []witness
	for _, w := range ws {
		pool = append(pool, witness{attacker: w.Attacker, shift: globalShift(b, w.Shift, nil)})
	}

	// Then each level below, block by block: a parent with its fate fixed and its sub-periods.
	parents := []Period{yp}
	for g := Quarter; g <= depth; g++ {
		carry, err := y.carry(pool, hidden, threshold)
		if err != nil {
			return nil, err
		}
		var level []cellKey
		var blocks []*builder
		for _, P := range parents {
			b := newBuilder()
			y.addPeriod(b, P, fixed)
			for _, c := range P.Children() {
				y.addPeriod(b, c, levelFate)
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
			unfix(b, &P)
			record(hidden, b, h)
			blocks = append(blocks, b)
			for i, k := range b.keys {
				if b.fates[i] == disclosure.Free {
					level = append(level, k)
				}
			}
		}
		if err := y.check(g, hidden, level); err != nil {
			return nil, err
		}
		if pool, err = y.widen(blocks, carry, hidden, threshold); err != nil {
			return nil, err
		}
		var next []Period
		for _, P := range parents {
			next = append(next, P.Children()...)
		}
		parents = next
	}
	if _, err := y.carry(pool, hidden, threshold); err != nil {
		return nil, err // every hidden figure must still have its witnesses
	}
	return hidden, nil
}

// respondentPrimary reports whether a département figure less some network's part of it is a
// count from 1 to threshold-1: that network's coordinator knows the rest, a small count of the
// other networks'.
func (y *yearTable) respondentPrimary(k cellKey, threshold int64) bool {
	if k.network != "" {
		return false
	}
	v := y.value(k)
	for _, id := range y.ids {
		if o := y.own(id, k); o > 0 && v-o >= 1 && v-o < threshold {
			return true
		}
	}
	return false
}

// unfix gives the cells of a block's own level (all but the parent P's) their free fate again
// once Protect has hidden them: the steps after it decide for them as for any cell of the level.
func unfix(b *builder, P *Period) {
	for i, k := range b.keys {
		if b.fates[i] == disclosure.MustHide && (P == nil || k.period != *P) {
			b.fates[i] = disclosure.Free
		}
	}
}

// witness is a disclosure.Witness over the year's figures: a change of hidden figures that keeps
// every relation of the table down to the current level, which the attacker cannot rule out.
type witness struct {
	attacker int // 0: the public; i: the coordinator of y.ids[i-1]
	shift    map[cellKey]int64
}

// carried is a witness to extend to the next level, and the attackers it serves.
type carried struct {
	shift     map[cellKey]int64
	attackers []int
}

func globalShift(b *builder, s disclosure.Shift, into map[cellKey]int64) map[cellKey]int64 {
	if into == nil {
		into = map[cellKey]int64{}
	}
	for i, v := range s {
		if v != 0 {
			into[b.keys[i]] = v
		}
	}
	return into
}

// attackers are the readers a block is protected against: the public, then each network's
// coordinator, who knows their network's figures raw and their part of the département's.
func (y *yearTable) attackers(b *builder) []disclosure.Attacker {
	out := []disclosure.Attacker{{}}
	for _, id := range y.ids {
		a := disclosure.Attacker{Known: make([]bool, len(b.keys)), Own: make([]int64, len(b.keys))}
		for i, k := range b.keys {
			switch k.network {
			case id:
				a.Known[i] = true
			case "":
				a.Own[i] = y.own(id, k)
			}
		}
		out = append(out, a)
	}
	return out
}

// own is network id's part of a département figure.
func (y *yearTable) own(id string, k cellKey) int64 {
	f, ok := y.figures[id][k.period]
	if !ok {
		return 0
	}
	switch k.kind {
	case victimsCell:
		return f.Counts.Victims
	case childrenCell:
		return f.Counts.Children
	}
	return f.Counts.Breakdowns[k.dim][k.bucket]
}

// value is a figure's raw value.
func (y *yearTable) value(k cellKey) int64 {
	if k.network != "" {
		return y.own(k.network, k)
	}
	k.release = 0
	if v, ok := y.values[k]; ok {
		return v
	}
	var v int64
	for _, id := range y.members(k.period) {
		v += y.own(id, k)
	}
	if y.values == nil {
		y.values = map[cellKey]int64{}
	}
	y.values[k] = v
	return v
}

// widen runs disclosure.Widen on each block of a level, extending the carried witnesses, and
// returns the witnesses of the table down to that level.
func (y *yearTable) widen(blocks []*builder, carry []carried, hidden map[cellKey]bool, level int64) ([]witness, error) {
	// The blocks share no cell: each is widened on its own, at the same time as the others, and
	// their results are taken in order, as one after the other would give them.
	runs := make([]blockRun, len(blocks))
	var wg sync.WaitGroup
	for n, b := range blocks {
		r := &runs[n]
		r.ks, r.local = localCarried(b, carry)
		r.h = make([]bool, len(b.keys))
		for i, k := range b.keys {
			r.h[i] = hidden[k]
		}
		r.attackers = y.attackers(b)
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.ext, r.news, r.err = disclosure.Widen(b.t, r.h, b.fates, level, r.attackers, r.local)
		}()
	}
	wg.Wait()
	var results []blockResult
	for n, b := range blocks {
		r := runs[n]
		if r.err != nil {
			return nil, errUnpublishable(y.year, r.err)
		}
		record(hidden, b, r.h)
		results = append(results, blockResult{b: b, ks: r.ks, ext: r.ext, news: r.news})
	}
	// assembled is a carried witness with its extensions in every block, for one attacker.
	assembled := func(ci, a int, skip *builder) map[cellKey]int64 {
		s := map[cellKey]int64{}
		for k, v := range carry[ci].shift {
			s[k] = v
		}
		for _, r := range results {
			if r.b == skip {
				continue
			}
			li := sort.SearchInts(r.ks, ci) // r.ks ascends
			if li == len(r.ks) || r.ks[li] != ci {
				continue
			}
			for m, att := range carry[ci].attackers {
				if att == a {
					globalShift(r.b, r.ext[li][m], s)
				}
			}
		}
		return s
	}
	var pool []witness
	for ci, c := range carry {
		for m, a := range c.attackers {
			// An attacker whose extensions are an earlier one's in every block (Widen lends one
			// extension to every attacker it holds against) shares its figures' map: no one
			// writes to a witness's shift.
			if e := sameExtensions(results, ci, m); e >= 0 {
				pool = append(pool, witness{attacker: a, shift: pool[len(pool)-m+e].shift})
				continue
			}
			pool = append(pool, witness{attacker: a, shift: assembled(ci, a, nil)})
		}
	}
	for _, r := range results {
		for _, w := range r.news {
			var s map[cellKey]int64
			if w.Base >= 0 {
				s = assembled(r.ks[w.Base], w.Attacker, r.b)
			}
			pool = append(pool, witness{attacker: w.Attacker, shift: globalShift(r.b, w.Shift, s)})
		}
	}
	return pool, nil
}

// sameExtensions is the first attacker (its position in the carried shift's attackers) before
// the m-th whose extension of carried shift ci is the m-th's in every block, or -1.
func sameExtensions(results []blockResult, ci, m int) int {
	for e := range m {
		same := true
		for _, r := range results {
			li := sort.SearchInts(r.ks, ci)
			if li < len(r.ks) && r.ks[li] == ci && !sameMap(r.ext[li][e], r.ext[li][m]) {
				same = false
				break
			}
		}
		if same {
			return e
		}
	}
	return -1
}

// sameMap says whether two maps are the same map (not only equal).
func sameMap[M ~map[K]V, K comparable, V any](a, b M) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// blockResult is what widen keeps of a block's Widen.
type blockResult struct {
	b    *builder
	ks   []int // carried index of each local carried shift
	ext  [][]disclosure.Shift
	news []disclosure.Witness
}

// blockRun is one block's disclosure.Widen: its inputs and what it gave.
type blockRun struct {
	ks        []int // carried index of each local carried shift
	local     []disclosure.Carried
	h         []bool
	attackers []disclosure.Attacker
	ext       [][]disclosure.Shift
	news      []disclosure.Witness
	err       error
}

// localCarried are the carried shifts that move some of block b's fixed cells, over b's cells
// (only those), and the index in carry of each.
func localCarried(b *builder, carry []carried) (ks []int, local []disclosure.Carried) {
	for ci, c := range carry {
		s := disclosure.Shift{}
		for k, v := range c.shift {
			if i, ok := b.index[k]; ok && b.fates[i] != disclosure.Free {
				s[i] = v
			}
		}
		if len(s) > 0 {
			local = append(local, disclosure.Carried{Shift: s, Attackers: c.attackers})
			ks = append(ks, ci)
		}
	}
	return ks, local
}

func sortedKeys(m map[cellKey]bool) []cellKey {
	var out []cellKey
	for k, h := range m {
		if h {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.period != b.period:
			return a.period.String() < b.period.String()
		case a.network != b.network:
			return a.network < b.network
		case a.kind != b.kind:
			return a.kind < b.kind
		case a.dim != b.dim:
			return a.dim < b.dim
		}
		return a.bucket < b.bucket
	})
	return out
}

// tableTo is the year's whole table down to depth, every cell free, with its relations.
func (y *yearTable) tableTo(depth Granularity) *builder {
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
	return b
}

// check verifies the whole table down to depth; when a hidden figure could be recomputed, it
// hides the level's positive figures, then all of them, and checks again.
func (y *yearTable) check(depth Granularity, hidden map[cellKey]bool, level []cellKey) error {
	b := y.tableTo(depth)
	safe := func() bool {
		mask := make([]bool, len(b.keys))
		for i, k := range b.keys {
			mask[i] = hidden[k]
		}
		// A hidden 0 that can be derived (the months of a network whose quarter is a published
		// 0) tells nothing about anyone; any other derivable hidden figure is a failure.
		for _, i := range disclosure.Disclosed(b.t, mask) {
			if b.t.Cells[i] != 0 {
				return false
			}
		}
		return true
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

// record copies a block's decisions into hidden.
func record(hidden map[cellKey]bool, b *builder, h []bool) {
	for i, k := range b.keys {
		if h[i] {
			hidden[k] = true
		}
	}
}

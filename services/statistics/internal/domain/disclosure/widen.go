package disclosure

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
)

// Attacker is what a reader knows besides the published cells and the relations: the cells they
// know raw (a respondent's own figures; nil: none) and, for each cell, the part of its value that
// is theirs (nil: none), which is also a lower bound they know (a département's bucket holds at
// least the respondent's own bucket). Attacker 0 of Widen is usually the public: nothing known.
type Attacker struct {
	Known []bool
	Own   []int64
	// Exempt are the cells (nil: none) whose part not the attacker's own they knew before this
	// table was published (an earlier release gave it to them): Widen gives them no interval
	// against this attacker, since nothing it could hide would tell them less.
	Exempt []bool
}

func (a Attacker) known(i int) bool { return a.Known != nil && a.Known[i] }

func (a Attacker) exempt(i int) bool { return a.Exempt != nil && a.Exempt[i] }

func (a Attacker) own(i int) int64 {
	if a.Own == nil {
		return 0
	}
	return a.Own[i]
}

// Shift changes some cells' values by the given amounts; a cell not listed is unchanged.
type Shift map[int]int64

// Witness is a shift that an attacker cannot rule out: applied to the table it keeps every
// relation, every value non-negative (and at least the attacker's own part), and it changes only
// hidden cells the attacker does not know. Its existence proves that the shifted cells' true
// values are not the only ones consistent with what the attacker knows.
type Witness struct {
	Attacker int
	// Base is the index of the carried shift this one extends, or -1.
	Base  int
	Shift Shift
}

// Carried is a witness of a coarser table (say, a year's) that moves some of this table's fixed
// cells (hidden figures of the year, when this table holds a quarter's months): it must be
// extended to this table's free cells, for each of the attackers it serves.
type Carried struct {
	Shift     Shift // over this table's cells; only its fixed cells count
	Attackers []int
}

// ErrUnprotectable means that even with every free cell hidden some hidden cell stays bounded
// more tightly than the protection level: the caller must hide more of the fixed cells.
var ErrUnprotectable = errors.New("disclosure: a hidden cell cannot be given its protection interval")

// Widen is the interval protection that follows Protect: it hides further free cells of t until,
// for every attacker, every hidden free cell whose value less the attacker's own part is v ≥ 1
// (and that the attacker does not know) has two witnesses, one lowering it by min(v, level) and
// one raising it by level − min(v, level) (or, when lowering is impossible, one raising it by
// level). Against an attacker who knows no more than the witnesses respect, the cell's feasible
// interval is then at least level wide (usually reaching down to 0 for a count below level);
// with level ≥ threshold−1 it is never inside 1..threshold−1. hidden is updated in place.
//
// Each carried shift is extended to t's free cells for each of its attackers: ext[k][m] is the
// extension of carried[k] for carried[k].Attackers[m] (its fixed part included). A requirement
// that no shift leaving the fixed cells unchanged meets may build on a carried one (Base).
//
// The witnesses are found by linear programming (simplex.go: the cheapest shift, counting
// each unit a published cell moves) and then checked exactly, in integers, against every
// relation and bound; a solution that is not integral is not used. When a requirement cannot be
// met, every free cell is hidden and it is tried again; if it still fails, ErrUnprotectable.
func Widen(t Table, hidden []bool, fates []Fate, level int64, attackers []Attacker, carried []Carried) (ext [][]Shift, ws []Witness, err error) {
	return WidenContext(context.Background(), t, hidden, fates, level, attackers, carried)
}

// WidenContext is Widen, giving up with ctx's error when ctx is done: a large table's
// witnesses take many linear programmes, which a reader who has gone need not wait for.
func WidenContext(ctx context.Context, t Table, hidden []bool, fates []Fate, level int64, attackers []Attacker, carried []Carried) (ext [][]Shift, ws []Witness, err error) {
	t.checkMask(hidden)
	n := len(t.Cells)
	if fates == nil {
		fates = make([]Fate, n)
	}
	if len(attackers) == 0 {
		attackers = []Attacker{{}}
	}
	w := &widener{t: t, hidden: hidden, fates: fates, attackers: attackers}
	w.carried = make([]Shift, len(carried))
	w.carriedFor = make([]map[int]int, len(carried))
	ext = make([][]Shift, len(carried))
	for k, c := range carried {
		base := Shift{}
		for i, v := range c.Shift {
			if fates[i] != Free && v != 0 {
				base[i] = v
			}
		}
		w.carried[k] = base
		w.carriedFor[k] = map[int]int{}
		ext[k] = make([]Shift, len(c.Attackers))
		for m, a := range c.Attackers {
			w.carriedFor[k][a] = m
			for _, prev := range ext[k][:m] { // the same shift extended for another attacker
				if w.valid(Witness{Attacker: -1, Base: -1, Shift: prev}, a) {
					ext[k][m] = prev
					break
				}
			}
			if ext[k][m] != nil {
				continue
			}
			s, err := w.solveOrHideAll(a, base, -1, 0)
			if err != nil {
				return nil, nil, fmt.Errorf("%w: extending a carried shift", err)
			}
			ext[k][m] = s
		}
	}
	// Each cell hidden (now or by the requirements below) is considered once per attacker; a
	// witness stays valid when more cells are hidden, so the loop ends when no cell is added.
	done := make([]map[int]bool, len(attackers))
	for a := range done {
		done[a] = map[int]bool{}
	}
	for changed := true; changed; {
		changed = false
		for a, att := range attackers {
			for i := range n {
				if !hidden[i] || fates[i] != Free || att.known(i) || att.exempt(i) || done[a][i] {
					continue
				}
				if err := ctx.Err(); err != nil {
					return nil, nil, err
				}
				done[a][i], changed = true, true
				v := t.Cells[i] - att.own(i)
				if v < 1 {
					continue
				}
				down := min(v, level)
				found, err := w.require(a, i, -down, level-down)
				if err != nil {
					return nil, nil, err
				}
				ws = append(ws, found...)
				w.index(found)
			}
		}
	}
	return ext, ws, nil
}

type widener struct {
	t          Table
	hidden     []bool
	fates      []Fate
	attackers  []Attacker
	carried    []Shift       // the carried shifts' fixed parts
	carriedFor []map[int]int // attacker -> position in the carried shift's Attackers
	hidAll     bool
	rel        [][]int   // the relations of each cell, for search
	coef       [][]int64 // the cell's coefficient in each of them: 1 for the total, -1 for a part
	comp       []int     // each relation's component, relations sharing a free cell joined
	// carriedComps are the components of the relations of the cells each carried shift moves.
	carriedComps []map[int]bool
	// The search's buffers (clear between searches) and candidate lists (see candidates).
	yv, imb             []int64
	set                 []bool
	cands               [][]int
	nhid                []int
	candsGen, hiddenGen int
	ops                 *openRelations
	found               []Witness     // the witnesses found so far
	movers              [][]foundMove // for each cell, the found witnesses that move it
	holdsFor            [][]int8      // by attacker and found witness: whether it holds (see validFound)
}

// index adds witnesses to those found, each under the cells it moves.
func (w *widener) index(ws []Witness) {
	if w.movers == nil {
		w.movers = make([][]foundMove, len(w.t.Cells))
	}
	for _, f := range ws {
		for j, v := range f.Shift {
			if v != 0 {
				w.movers[j] = append(w.movers[j], foundMove{len(w.found), v})
			}
		}
		w.found = append(w.found, f)
	}
}

// foundMove is a found witness (its index) that moves some cell, and by how much.
type foundMove struct {
	k int
	v int64
}

// reuses says whether a witness found already moves cell i by s (≠ 0) or further, and holds
// against attacker a; out are those found for the current requirement. Whether a found witness
// holds against an attacker does not change, and is kept once known.
func (w *widener) reuses(a, i int, s int64, out []Witness) bool {
	far := func(v int64) bool { return (s < 0 && v <= s) || (s > 0 && v >= s) }
	if w.movers != nil {
		if w.holdsFor == nil {
			w.holdsFor = make([][]int8, len(w.attackers))
		}
		for _, m := range w.movers[i] {
			if far(m.v) && w.validFound(m.k, a) {
				return true
			}
		}
	}
	for _, f := range out {
		if far(f.Shift[i]) && w.valid(f, a) {
			return true
		}
	}
	return false
}

// validFound is valid for found witness k, kept once known (by attacker: 0 unknown, 1 holds,
// -1 does not).
func (w *widener) validFound(k, a int) bool {
	h := w.holdsFor[a]
	if len(h) <= k {
		h = append(h, make([]int8, len(w.found)-len(h))...)
		w.holdsFor[a] = h
	}
	if h[k] == 0 {
		h[k] = -1
		if w.valid(w.found[k], a) {
			h[k] = 1
		}
	}
	return h[k] == 1
}

// require finds the witnesses that cell i can go down by down (≤ 0) and up by up (≥ 0) against
// attacker a, reusing those found already. When it cannot go down, a rise of up−down does.
func (w *widener) require(a, i int, down, up int64) ([]Witness, error) {
	var out []Witness
	reach := func(s int64) (bool, error) {
		if s == 0 {
			return true, nil
		}
		// Only the witnesses that move i (an index by cell), and validity (a walk of the shift)
		// only for one that moves it far enough: there are thousands on a large table.
		if w.reuses(a, i, s, out) {
			return true, nil
		}
		for attempt := range 2 {
			for _, useLP := range []bool{false, true} { // the quick search first, everywhere
				if f, ok := w.solveAny(a, i, s, useLP); ok {
					out = append(out, f)
					return true, nil
				}
			}
			if attempt == 0 && !w.hideAll() {
				break
			}
		}
		return false, nil
	}
	okDown, err := reach(down)
	if err != nil {
		return nil, err
	}
	if okDown {
		if okUp, err := reach(up); err != nil || okUp {
			return out, err
		}
	} else if okUp, err := reach(up - down); err != nil || okUp {
		return out, err
	}
	return nil, fmt.Errorf("%w: cell %d (%d) against attacker %d", ErrUnprotectable, i, w.t.Cells[i], a)
}

// solveAny finds a witness that moves cell i by s against attacker a, leaving the fixed cells
// unchanged or else building on a carried shift that serves a, in that order (by search, or
// useLP by linear programming).
//
// A carried shift apart from i (no relation of its cells in the component of one of i's, see
// apart) is not searched when the search without it found nothing: that search then fails as
// well. Its propagation is a product of two independent ones, the carried shift's and i's;
// i's makes the same choices in the same order as alone, and with the budget shared it reaches
// no state that the search alone did not try and reject.
func (w *widener) solveAny(a, i int, s int64, useLP bool) (Witness, bool) {
	var missed [2]bool // the search without a carried shift found nothing, by published
	if useLP {
		if sh, ok := w.solve(a, Shift{}, i, s, true); ok {
			return Witness{Attacker: a, Base: -1, Shift: sh}, true
		}
	} else if sh, ok, m := w.searchBoth(a, Shift{}, i, s, [2]bool{}); ok {
		return Witness{Attacker: a, Base: -1, Shift: sh}, true
	} else {
		missed = m
	}
	for k, base := range w.carried {
		if _, serves := w.carriedFor[k][a]; !serves || len(base) == 0 {
			continue
		}
		var sh Shift
		var ok bool
		if useLP {
			sh, ok = w.solve(a, base, i, s, true)
		} else {
			skip := [2]bool{}
			if w.apart(k, i) {
				skip = missed
			}
			sh, ok, _ = w.searchBoth(a, base, i, s, skip)
		}
		if ok {
			return Witness{Attacker: a, Base: k, Shift: sh}, true
		}
	}
	return Witness{}, false
}

// searchBoth is solve without linear programming: the search among the hidden cells, then
// among the published ones too, except where skip says (by published) that it would fail.
// missed says which of the searches run found nothing (as opposed to finding a shift that
// holds rejected).
func (w *widener) searchBoth(a int, base Shift, i int, s int64, skip [2]bool) (Shift, bool, [2]bool) {
	var missed [2]bool
	for x, published := range []bool{false, true} {
		if skip[x] {
			continue
		}
		sh, o := w.search(a, base, i, s, published, false)
		if o == searchFound {
			for j := range sh {
				w.hide(j)
			}
			return sh, true, missed
		}
		missed[x] = o == searchMissed || o == searchStuck
	}
	return nil, false, missed
}

// apart says whether carried shift k is apart from cell i: no relation that a cell the shift
// moves belongs to is in the component of a relation of i, relations being joined when they
// share a free cell (the only cells a search moves).
func (w *widener) apart(k, i int) bool {
	w.relations()
	if w.carriedComps == nil {
		w.carriedComps = make([]map[int]bool, len(w.carried))
	}
	if w.carriedComps[k] == nil {
		cs := map[int]bool{}
		for j := range w.carried[k] {
			for _, r := range w.rel[j] {
				cs[w.comp[r]] = true
			}
		}
		w.carriedComps[k] = cs
	}
	for _, r := range w.rel[i] {
		if w.carriedComps[k][w.comp[r]] {
			return false
		}
	}
	return true
}

// relations indexes, once, the relations of each cell and the components of the relations
// joined by free cells.
func (w *widener) relations() {
	if w.rel != nil {
		return
	}
	t := w.t
	w.rel = make([][]int, len(t.Cells))
	w.coef = make([][]int64, len(t.Cells))
	for k, r := range t.Relations {
		w.rel[r.Total] = append(w.rel[r.Total], k)
		w.coef[r.Total] = append(w.coef[r.Total], 1)
		for _, p := range r.Parts {
			w.rel[p] = append(w.rel[p], k)
			w.coef[p] = append(w.coef[p], -1)
		}
	}
	parent := make([]int, len(t.Relations))
	for k := range parent {
		parent[k] = k
	}
	root := func(k int) int {
		for parent[k] != k {
			parent[k] = parent[parent[k]]
			k = parent[k]
		}
		return k
	}
	for j, rs := range w.rel {
		for _, r := range rs[min(1, len(rs)):] {
			if w.fates[j] == Free {
				parent[root(r)] = root(rs[0])
			}
		}
	}
	w.comp = make([]int, len(t.Relations))
	for k := range parent {
		w.comp[k] = root(k)
	}
}

// hideAll hides every free cell, once; it reports whether it changed anything.
func (w *widener) hideAll() bool {
	if w.hidAll {
		return false
	}
	w.hidAll = true
	for j, f := range w.fates {
		if f == Free {
			w.hide(j)
		}
	}
	return true
}

func (w *widener) solveOrHideAll(a int, base Shift, i int, s int64) (Shift, error) {
	for _, useLP := range []bool{false, true} {
		if sh, ok := w.solve(a, base, i, s, useLP); ok {
			return sh, nil
		}
	}
	if w.hideAll() {
		for _, useLP := range []bool{false, true} {
			if sh, ok := w.solve(a, base, i, s, useLP); ok {
				return sh, nil
			}
		}
	}
	return nil, ErrUnprotectable
}

// valid says whether a witness found for some attacker also holds against attacker a. A
// witness built on a carried shift holds beyond this table only for the attackers it was
// extended for, so it is never lent to another.
func (w *widener) valid(f Witness, a int) bool {
	if f.Attacker == a {
		return true
	}
	if f.Base >= 0 {
		return false
	}
	att := w.attackers[a]
	for j, v := range f.Shift {
		if v != 0 && (att.known(j) || w.t.Cells[j]+v < att.own(j)) {
			return false
		}
	}
	return true
}

// solve finds a shift against attacker a, by search or (useLP) the cheapest one by linear
// programming, that that equals base on the fixed cells it names
// (0 on every other fixed cell and on the cells a knows), moves cell i by s (when i ≥ 0) and
// keeps every relation and bound. The published free cells it moves are hidden. It reports
// false when there is none, or when the linear programme's answer is not an exact integer one.
func (w *widener) solve(a int, base Shift, i int, s int64, useLP bool) (Shift, bool) {
	// Most witnesses are short cycles (a rectangle of a two-way table): a bounded search finds
	// them without a linear programme, among the hidden cells first.
	if !useLP {
		sh, ok, _ := w.searchBoth(a, base, i, s, [2]bool{})
		return sh, ok
	}
	// A start that is stuck with every free cell movable has no shift at all: no programme,
	// over any of the cells, is feasible.
	if _, o := w.search(a, base, i, s, true, true); o == searchStuck {
		return nil, false
	}
	// A shift among the cells hidden already costs nothing and is a much smaller programme: try
	// it first, then with the published cells near them (two relations away: the far corner of
	// a rectangle), then with every free cell.
	movable := make([]bool, len(w.t.Cells))
	copy(movable, w.hidden)
	if i >= 0 {
		movable[i] = true
	}
	for j := range base {
		movable[j] = true
	}
	var all Shift
	var allOutcome lpOutcome
	for hop := 0; hop <= 2; hop++ {
		if hop > 0 {
			movable = w.near(movable)
		}
		if sh, ok := w.solveAmong(a, base, i, s, movable); ok {
			return sh, true
		}
		if hop == 0 {
			// When no shift moves every free cell, none moves fewer: one programme over all of
			// them spares the wider neighbourhoods' (most requirements that reach here have
			// none). It is the last try's answer too: nothing is hidden until a try succeeds.
			if all, allOutcome = w.shiftAmong(a, base, i, s, nil); allOutcome == lpNone {
				return nil, false
			}
		}
	}
	if allOutcome != lpFound {
		return nil, false
	}
	for j := range all {
		w.hide(j)
	}
	return all, true
}

// searchBudget bounds the cells a search tries before it gives up and leaves it to the
// linear programme.
const searchBudget = 2000

// search looks for a shift by propagation: starting from base and cell i moved by s, it closes
// each relation left unbalanced by moving one more free cell of it (a hidden one, or a published
// one when published is set), depth first. What it returns is checked by holds.
//
// The state is dense (a value and a flag per cell, an imbalance per relation kept up to date as
// cells move, in buffers kept between searches and cleared after each) and each relation's
// candidates are sorted once until a cell is hidden (see candidates): hidden does not change
// while a search runs, so the order, and what the search finds within its budget, are the same
// as sorting at every step.
//
// With startOnly, it only says whether its start is stuck (searchStuck; else searchMissed).
func (w *widener) search(a int, base Shift, i int, s int64, published, startOnly bool) (Shift, searchOutcome) {
	t, att := w.t, w.attackers[a]
	w.relations()
	n := len(t.Cells)
	if w.yv == nil {
		w.yv, w.set, w.imb = make([]int64, n), make([]bool, n), make([]int64, len(t.Relations))
		w.ops = newOpenRelations(len(t.Relations))
	}
	yv, set, imb, ops := w.yv, w.set, w.imb, w.ops // imb: the total's shift less the parts'
	move := func(j int, v int64) {
		yv[j] += v
		for x, k := range w.rel[j] {
			was := imb[k]
			imb[k] += w.coef[j][x] * v
			ops.flip(k, was != 0, imb[k] != 0)
		}
	}
	order := make([]int, 0, len(base)+8) // the cells moved, in a fixed order, for determinism
	// The buffers are left clear: only the cells moved and their relations changed.
	defer func() {
		for _, j := range order {
			yv[j], set[j] = 0, false
			for _, k := range w.rel[j] {
				ops.flip(k, imb[k] != 0, false)
				imb[k] = 0
				ops.first[k] = -1
			}
		}
	}()
	if i >= 0 && t.Cells[i]+s < att.own(i) {
		return nil, searchStuck
	}
	for j, v := range base {
		set[j] = true
		move(j, v)
	}
	if i >= 0 {
		set[i] = true
		move(i, s-yv[i])
	}
	for j := range base {
		order = append(order, j)
	}
	if _, in := base[i]; i >= 0 && !in {
		order = append(order, i)
	}
	sort.Ints(order)
	for q, j := range order {
		ops.push(w.rel[j], q)
	}
	movable := func(j int) bool {
		return !set[j] && !att.known(j) // the candidates are free, and hidden unless published
	}
	// open is the first unbalanced relation of the first cell in order that has one.
	open := ops.firstOpen
	if w.stuck(att, published) {
		return nil, searchStuck // what the depth-first search would find, without its cost
	}
	if startOnly {
		return nil, searchMissed
	}
	budget := searchBudget
	var dfs func() bool
	dfs = func() bool {
		k := open()
		if k < 0 {
			return true
		}
		if budget <= 0 {
			return false
		}
		r := t.Relations[k]
		d := imb[k]
		// try moves cell j by want, or as far as it can go down (to the attacker's own part),
		// leaving the rest of the imbalance to another cell.
		try := func(j int, want int64) bool {
			if !movable(j) {
				return false
			}
			v := want
			if room := t.Cells[j] - att.own(j); v < -room {
				v = -room
			}
			if v == 0 {
				return false
			}
			budget--
			set[j] = true
			move(j, v)
			ops.push(w.rel[j], len(order))
			order = append(order, j)
			if dfs() {
				return true
			}
			order = order[:len(order)-1]
			ops.pop(w.rel[j], len(order))
			move(j, -v)
			set[j] = false
			return false
		}
		cs, nhid := w.candidates(k)
		if !published {
			cs = cs[:nhid]
		}
		for _, j := range cs {
			want := d
			if j == r.Total {
				want = -d
			}
			if try(j, want) {
				return true
			}
		}
		return false
	}
	if !dfs() {
		return nil, searchMissed
	}
	y := Shift{}
	for _, j := range order {
		if v := yv[j]; v != 0 {
			y[j] = v
		}
	}
	if !w.holds(a, y) {
		return nil, searchRejected
	}
	return y, searchFound
}

// stuck says whether some unbalanced relation of a search's start cannot be balanced by the
// cells it may move (published: the published free cells too): its total may not move, and its
// parts would have to go down by more than they can (each to the attacker's own part), or none
// of them may move. The
// search then fails: every cell it moves goes no lower than that, and the cells it starts from
// never move again.
func (w *widener) stuck(att Attacker, published bool) bool {
	t := w.t
	may := func(j int) bool {
		return !w.set[j] && w.fates[j] == Free && !att.known(j) && (published || w.hidden[j])
	}
	for _, k := range w.ops.list {
		r := t.Relations[k]
		if may(r.Total) {
			continue // the total can go up as far as needed
		}
		need, room := w.yv[r.Total], int64(0) // the parts' shift needed, how far they can go down
		movers := false
		for _, p := range r.Parts {
			if w.set[p] {
				need -= w.yv[p]
			} else if may(p) {
				room += t.Cells[p] - att.own(p)
				movers = true
			}
		}
		if need < -room || (!movers && need != 0) {
			return true
		}
	}
	return false
}

// openRelations are a search's unbalanced relations, and where each relation is first met in
// the order of the cells moved (the position of the first cell of it, and the relation's rank
// among that cell's), so that the first one in that order is found without a scan of the order.
type openRelations struct {
	list        []int // the unbalanced relations
	at          []int // each relation's position in list, or -1
	first, rank []int // the position in order of each relation's first cell (-1: none), the rank
}

func newOpenRelations(m int) *openRelations {
	o := &openRelations{at: make([]int, m), first: make([]int, m), rank: make([]int, m)}
	for k := range m {
		o.at[k], o.first[k] = -1, -1
	}
	return o
}

// flip notes that relation k goes from unbalanced (was) or not to unbalanced (is) or not.
func (o *openRelations) flip(k int, was, is bool) {
	switch {
	case is && !was:
		o.at[k] = len(o.list)
		o.list = append(o.list, k)
	case was && !is:
		last := o.list[len(o.list)-1]
		o.list[o.at[k]], o.at[last] = last, o.at[k]
		o.list = o.list[:len(o.list)-1]
		o.at[k] = -1
	}
}

// push notes that the cell of relations rels is at position q of the order; pop undoes it.
func (o *openRelations) push(rels []int, q int) {
	for x, k := range rels {
		if o.first[k] < 0 {
			o.first[k], o.rank[k] = q, x
		}
	}
}

func (o *openRelations) pop(rels []int, q int) {
	for _, k := range rels {
		if o.first[k] == q {
			o.first[k] = -1
		}
	}
}

// firstOpen is the unbalanced relation met first in the order (-1: none).
func (o *openRelations) firstOpen() int {
	best := -1
	for _, k := range o.list {
		if best < 0 || o.first[k] < o.first[best] || (o.first[k] == o.first[best] && o.rank[k] < o.rank[best]) {
			best = k
		}
	}
	return best
}

// candidates are the free cells of relation k in the order a search tries them: hidden cells
// first (they cost nothing), then the smallest published counts, as Protect would choose (ties:
// lowest index); nhid of them are hidden. The lists are kept until a cell is hidden.
func (w *widener) candidates(k int) (cs []int, nhid int) {
	if w.cands == nil || w.candsGen != w.hiddenGen {
		w.cands, w.nhid, w.candsGen = make([][]int, len(w.t.Relations)), make([]int, len(w.t.Relations)), w.hiddenGen
	}
	if w.cands[k] == nil {
		t := w.t
		r := t.Relations[k]
		cs := make([]int, 0, len(r.Parts)+1)
		for _, j := range append([]int{r.Total}, r.Parts...) {
			if w.fates[j] == Free {
				cs = append(cs, j)
			}
		}
		sort.Slice(cs, func(x, z int) bool {
			a, b := cs[x], cs[z]
			if w.hidden[a] != w.hidden[b] {
				return w.hidden[a]
			}
			if t.Cells[a] != t.Cells[b] {
				return t.Cells[a] < t.Cells[b]
			}
			return a < b
		})
		for _, j := range cs {
			if w.hidden[j] {
				w.nhid[k]++
			}
		}
		w.cands[k] = cs
	}
	return w.cands[k], w.nhid[k]
}

// hide hides cell j, noting that the search's candidate lists must be sorted again.
func (w *widener) hide(j int) {
	if !w.hidden[j] {
		w.hidden[j] = true
		w.hiddenGen++
	}
}

// searchOutcome is what a search gave.
type searchOutcome int

const (
	searchFound    searchOutcome = iota // a shift, checked exactly
	searchMissed                        // no shift within the budget
	searchRejected                      // a shift that holds rejected
	searchStuck                         // no shift at all: a relation cannot be balanced (stuck)
)

// near adds to a set of cells every cell that shares a relation with one of them.
func (w *widener) near(set []bool) []bool {
	out := append([]bool(nil), set...)
	for _, r := range w.t.Relations {
		in := set[r.Total]
		for _, p := range r.Parts {
			in = in || set[p]
		}
		if !in {
			continue
		}
		out[r.Total] = true
		for _, p := range r.Parts {
			out[p] = true
		}
	}
	return out
}

// lpOutcome is what a witness programme gave.
type lpOutcome int

const (
	lpFound    lpOutcome = iota // a shift, checked exactly
	lpNone                      // no shift: the programme is infeasible
	lpUnusable                  // a solution that is not an exact integer shift, or no answer
)

// solveAmong is solve, moving only the movable cells (nil: any free cell); the cells the shift
// found moves are hidden.
func (w *widener) solveAmong(a int, base Shift, i int, s int64, movable []bool) (Shift, bool) {
	y, o := w.shiftAmong(a, base, i, s, movable)
	if o != lpFound {
		return nil, false
	}
	for j := range y {
		w.hide(j)
	}
	return y, true
}

// shiftAmong finds the shift of solveAmong, changing nothing.
func (w *widener) shiftAmong(a int, base Shift, i int, s int64, movable []bool) (Shift, lpOutcome) {
	t, att := w.t, w.attackers[a]
	n := len(t.Cells)
	fixed := func(j int) (int64, bool) {
		switch {
		case j == i:
			return s, true
		case w.fates[j] != Free || att.known(j):
			return base[j], true
		case movable != nil && !movable[j]:
			return 0, true
		}
		return 0, false
	}
	if i >= 0 && t.Cells[i]+s < att.own(i) {
		return nil, lpNone
	}
	// Variables: for a hidden cell j, its new value less the attacker's own part, u_j ≥ 0; for a
	// published one, p_j and n_j ≥ 0 with y_j = p_j − n_j, and u_j = cap_j + p_j − n_j.
	type cellVars struct{ u, p, n int }
	vars := map[int]cellVars{}
	nv := 0
	var cols []int
	for j := range n {
		if _, ok := fixed(j); ok {
			continue
		}
		cv := cellVars{u: nv, p: -1, n: -1}
		nv++
		if !w.hidden[j] {
			cv.p, cv.n = nv, nv+1
			nv += 2
		}
		vars[j] = cv
		cols = append(cols, j)
	}
	capOf := func(j int) int64 { return t.Cells[j] - att.own(j) }
	// A relation's row is built in buf and kept only when it moves a variable: most relations
	// of a large table touch none, and a row per relation was most of the programme's cost.
	var rows [][]float64
	buf := make([]float64, nv+1) // last: right-hand side
	var set []int
	var rhs int64
	term := func(j int, c int64) {
		if v, ok := fixed(j); ok {
			rhs -= c * v
			return
		}
		// y_j = u_j − cap_j
		buf[vars[j].u] += float64(c)
		set = append(set, vars[j].u)
		rhs += c * capOf(j)
	}
	for _, r := range t.Relations {
		rhs, set = 0, set[:0]
		term(r.Total, 1)
		for _, p := range r.Parts {
			term(p, -1)
		}
		if len(set) == 0 {
			if rhs != 0 {
				return nil, lpNone
			}
			continue
		}
		row := make([]float64, nv+1)
		copy(row, buf)
		row[nv] = float64(rhs)
		rows = append(rows, row)
		for _, k := range set {
			buf[k] = 0
		}
	}
	for _, j := range cols {
		cv := vars[j]
		if cv.p < 0 {
			continue
		}
		row := make([]float64, nv+1)
		row[cv.u], row[cv.p], row[cv.n], row[nv] = 1, -1, 1, float64(capOf(j))
		rows = append(rows, row)
	}
	y := Shift{}
	for j := range n {
		if v, ok := fixed(j); ok && v != 0 {
			y[j] = v
		}
	}
	if len(rows) > 0 {
		// Columns in no row: such a u_j stays at its current value.
		used := make([]bool, nv)
		for _, r := range rows {
			for k := range nv {
				if r[k] != 0 {
					used[k] = true
				}
			}
		}
		var lpCols []int
		for k := range nv {
			if used[k] {
				lpCols = append(lpCols, k)
			}
		}
		at := make([]int, nv)
		for c, k := range lpCols {
			at[k] = c
		}
		A := make([][]float64, len(rows))
		b := make([]float64, len(rows))
		for r, row := range rows {
			A[r] = make([]float64, len(lpCols))
			for c, k := range lpCols {
				A[r][c] = row[k]
			}
			b[r] = row[nv]
		}
		cost := make([]float64, len(lpCols))
		for _, j := range cols {
			if cv := vars[j]; cv.p >= 0 {
				if used[cv.p] {
					cost[at[cv.p]] = 1
				}
				if used[cv.n] {
					cost[at[cv.n]] = 1
				}
			}
		}
		x, err := simplex(cost, A, b)
		if errors.Is(err, errInfeasible) {
			return nil, lpNone
		}
		if err != nil {
			return nil, lpUnusable
		}
		val := func(k int) float64 {
			if !used[k] {
				return math.NaN()
			}
			return x[at[k]]
		}
		for _, j := range cols {
			u := val(vars[j].u)
			if math.IsNaN(u) {
				continue // unchanged
			}
			r := math.Round(u)
			if math.Abs(r-u) > 1e-6 {
				return nil, lpUnusable
			}
			if d := int64(r) - capOf(j); d != 0 {
				y[j] = d
			}
		}
	}
	if !w.holds(a, y) {
		return nil, lpUnusable
	}
	return y, lpFound
}

// holds checks a shift exactly: every relation still holds, every shifted value is at least the
// attacker's own part, and no cell the attacker knows or that is published and fixed moves.
func (w *widener) holds(a int, y Shift) bool {
	att := w.attackers[a]
	for j, v := range y {
		if v == 0 {
			continue
		}
		if att.known(j) || w.t.Cells[j]+v < att.own(j) || (w.fates[j] == MustPublish) {
			return false
		}
	}
	for _, r := range w.t.Relations {
		s := y[r.Total]
		for _, p := range r.Parts {
			s -= y[p]
		}
		if s != 0 {
			return false
		}
	}
	return true
}

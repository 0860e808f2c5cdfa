package disclosure

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
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

// key names a shift by its content: the same cells moved by the same amounts give the same key.
func (s Shift) key() string {
	cells := make([]int, 0, len(s))
	for j, v := range s {
		if v != 0 {
			cells = append(cells, j)
		}
	}
	sort.Ints(cells)
	b := make([]byte, 0, 16*len(cells))
	for _, j := range cells {
		b = strconv.AppendInt(b, int64(j), 10)
		b = append(b, ':')
		b = strconv.AppendInt(b, s[j], 10)
		b = append(b, ' ')
	}
	return string(b)
}

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
// extension of carried[k] for carried[k].Attackers[m] (its fixed part included). One extension
// is sought first against all of a shift's attackers together (what any of them knows, the
// largest of their own parts), and an extension found for a fixed part serves every carried
// shift with that fixed part that it holds for; ext[k][m] and ext[k][m'] are then the same map.
// A requirement that no shift leaving the fixed cells unchanged meets may build on a carried
// one (Base).
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
	// The last attacker is a scratch one: several of attackers together (see extendForAll).
	w := &widener{t: t, hidden: hidden, fates: fates, attackers: append(attackers[:len(attackers):len(attackers)], Attacker{})}
	w.carried = make([]Shift, len(carried))
	w.carriedFor = make([]map[int]int, len(carried))
	ext = make([][]Shift, len(carried))
	// Carried shifts often agree on this table's cells (two rectangles of the coarser table
	// through the same corner): an extension found for one fixed part serves every carried
	// shift with that fixed part, for every attacker it holds against.
	extended := map[string][]Shift{}
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
		key := base.key()
		if len(c.Attackers) > 1 {
			// One extension that holds against all of the shift's attackers spares a search
			// for each: tried first, against what they know together.
			if sh, ok := w.extendForAll(c.Attackers, base, extended[key]); ok {
				extended[key] = append(extended[key], sh)
			}
		}
		for m, a := range c.Attackers {
			w.carriedFor[k][a] = m
			for _, prev := range extended[key] { // the same fixed part extended before
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
			extended[key] = append(extended[key], s)
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

// extendForAll extends a carried shift's fixed part (base) against every attacker of as at
// once, unless one of prevs (extensions of the same part) holds against them all already: it
// searches against an attacker who knows what each of them knows, with the largest of their
// own parts. It hides the published cells the extension moves, and never hides all.
func (w *widener) extendForAll(as []int, base Shift, prevs []Shift) (Shift, bool) {
	for _, prev := range prevs {
		all := true
		for _, a := range as {
			all = all && w.valid(Witness{Attacker: -1, Base: -1, Shift: prev}, a)
		}
		if all {
			return nil, false
		}
	}
	n := len(w.t.Cells)
	together := Attacker{Known: make([]bool, n), Own: make([]int64, n)}
	for _, a := range as {
		att := w.attackers[a]
		for j := range n {
			together.Known[j] = together.Known[j] || att.known(j)
			together.Own[j] = max(together.Own[j], att.own(j))
		}
	}
	scratch := len(w.attackers) - 1
	w.attackers[scratch] = together
	for _, useLP := range []bool{false, true} {
		if sh, ok := w.solve(scratch, base, -1, 0, useLP); ok {
			return sh, true
		}
	}
	return nil, false
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
	moved               [][]cellMove  // for each found witness, the cells it moves
	himb                []int64       // holds's buffer: each relation's imbalance
	holdsFor            [][]int8      // by attacker and found witness: whether it holds (see validFound)
}

// index adds witnesses to those found, each under the cells it moves.
func (w *widener) index(ws []Witness) {
	if w.movers == nil {
		w.movers = make([][]foundMove, len(w.t.Cells))
	}
	for _, f := range ws {
		var moved []cellMove
		for j, v := range f.Shift {
			if v != 0 {
				w.movers[j] = append(w.movers[j], foundMove{len(w.found), v})
				moved = append(moved, cellMove{j, v})
			}
		}
		w.found = append(w.found, f)
		w.moved = append(w.moved, moved)
	}
}

// cellMove is a cell a found witness moves, and by how much.
type cellMove struct {
	j int
	v int64
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
		if w.validMoves(w.found[k], w.moved[k], a) {
			h[k] = 1
		}
	}
	return h[k] == 1
}

// validMoves is valid for a found witness, given the cells it moves.
func (w *widener) validMoves(f Witness, moved []cellMove, a int) bool {
	if f.Attacker == a {
		return true
	}
	if f.Base >= 0 {
		return false
	}
	att := w.attackers[a]
	for _, m := range moved {
		if att.known(m.j) || w.t.Cells[m.j]+m.v < att.own(m.j) {
			return false
		}
	}
	return true
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
	// Only the relations of the moved cells can be unbalanced: their imbalances are summed
	// cell by cell, in a buffer left clear.
	w.relations()
	if w.himb == nil {
		w.himb = make([]int64, len(w.t.Relations))
	}
	var touched []int
	for j, v := range y {
		for x, k := range w.rel[j] {
			touched = append(touched, k)
			w.himb[k] += w.coef[j][x] * v
		}
	}
	ok := true
	for _, k := range touched {
		ok = ok && w.himb[k] == 0
	}
	for _, k := range touched {
		w.himb[k] = 0
	}
	return ok
}

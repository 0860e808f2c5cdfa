package disclosure

import (
	"sort"
)

// Widen's search for a witness by propagation (see widen.go): depth first, within a budget.

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
			// With the budget spent, the search below succeeds only if moving j balances
			// every relation at once: say so without moving it (most of a failed search's
			// tries come after its budget is spent).
			if budget <= 0 && !w.closes(j, v) {
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

// closes says whether moving cell j by v leaves no relation of the search unbalanced: every
// unbalanced relation is one of j's, and each of j's is balanced after the move.
func (w *widener) closes(j int, v int64) bool {
	open := 0
	for x, k := range w.rel[j] {
		if w.imb[k] != 0 {
			open++
		}
		if w.imb[k]+w.coef[j][x]*v != 0 {
			return false
		}
	}
	return open == len(w.ops.list)
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

package domain

import "fmt"

// The witnesses a level of the protection carries to the next (see protection.go).

// carry picks, for every attacker and every hidden figure it does not know whose value less its
// own part is v ≥ 1, a witness that lowers the figure by min(v, level) and one that raises it by
// level − min(v, level), or one that raises it by level: those are what the next level must
// extend. A figure without them is a bug, and nothing is published.
func (y *yearTable) carry(pool []witness, hidden map[cellKey]bool, level int64) ([]carried, error) {
	keys := sortedKeys(hidden)
	// No requirement is met by a witness that leaves the figure where it is, so each figure
	// looks only at the witnesses that move it (in the pool's order, as a scan of the pool),
	// those of one run sharing a shift looked at together.
	g := runsOf(pool)
	movers, moves := moversOf(pool, g, keys)
	holds := y.validity(pool, g)
	s := newServed(len(pool), len(y.ids)+1, len(keys), moves, g)
	// find says whether a witness serving a moves figure x by at least d (down: at most −d),
	// else serves a with the first witness in the pool's order that does and holds against a.
	find := func(a, x int, d int64, down bool) bool {
		if s.reaches(a, x, d, down) {
			return true
		}
		for _, m := range movers[x] {
			if down && m.shift > -d || !down && m.shift < d {
				continue
			}
			if i := g.holder(m.i, a, pool, holds); i >= 0 {
				s.serve(i, a)
				return true
			}
		}
		return false
	}
	for x, k := range keys {
		value := y.value(k)
		for a := 0; a <= len(y.ids); a++ {
			v := value
			if a > 0 {
				if k.network == y.ids[a-1] {
					continue
				}
				if k.network == "" {
					v -= y.own(y.ids[a-1], k)
				}
			}
			if v < 1 {
				continue
			}
			down := min(v, level)
			if find(a, x, down, true) && (down == level || find(a, x, level-down, false)) {
				continue
			}
			if find(a, x, level, false) {
				continue
			}
			return nil, errUnpublishable(y.year, fmt.Errorf("no protection interval for %+v against attacker %d", k, a))
		}
	}
	return carriedOf(pool, s.by, len(y.ids)), nil
}

// runs are a pool's runs of consecutive witnesses that share one shift (the same map: one
// carried shift extended alike for several attackers): run r is pool[start[r]:start[r+1]].
type runs struct {
	start []int
	of    []int // the run of each witness
}

func runsOf(pool []witness) runs {
	g := runs{of: make([]int, len(pool))}
	for i, w := range pool {
		if i == 0 || !sameMap(w.shift, pool[i-1].shift) {
			g.start = append(g.start, i)
		}
		g.of[i] = len(g.start) - 1
	}
	g.start = append(g.start, len(pool))
	return g
}

// holder is the first witness of run r that holds against attacker a, or -1: the first when the
// shift does (holds, by run) or a is the public (who knows less than any coordinator), else the
// one found for a.
func (g runs) holder(r, a int, pool []witness, holds func(r, a int) bool) int {
	if a == 0 || holds(r, a) {
		return g.start[r]
	}
	for i := g.start[r]; i < g.start[r+1]; i++ {
		if pool[i].attacker == a {
			return i
		}
	}
	return -1
}

// validity says whether the shift of a run holds against coordinator a: it moves none of a's
// figures and leaves each département figure at least a's part of it. Each pair is computed
// once: whether a shift holds against an attacker does not change.
func (y *yearTable) validity(pool []witness, g runs) func(r, a int) bool {
	known := make([][]int8, len(y.ids)+1) // by attacker and run: 0 unknown, 1 holds, -1 not
	return func(r, a int) bool {
		if known[a] == nil {
			known[a] = make([]int8, len(g.start)-1)
		}
		if known[a][r] == 0 {
			known[a][r] = -1
			if y.shiftHolds(pool[g.start[r]].shift, y.ids[a-1]) {
				known[a][r] = 1
			}
		}
		return known[a][r] == 1
	}
}

// shiftHolds says whether a shift moves none of network id's figures and leaves each
// département figure at least id's part of it.
func (y *yearTable) shiftHolds(shift map[cellKey]int64, id string) bool {
	for k, v := range shift {
		if k.network == id || (k.network == "" && y.value(k)+v < y.own(id, k)) {
			return false
		}
	}
	return true
}

// served are the attackers each witness of a pool serves (by witness, allocated once it serves
// one) and, by attacker and figure, how far the witnesses serving the attacker move the figure
// down (lo, ≤ 0) and up (hi, ≥ 0).
type served struct {
	by     [][]bool
	lo, hi [][]int64
	moves  [][]move // by run
	g      runs
	cells  int
}

func newServed(witnesses, attackers, cells int, moves [][]move, g runs) *served {
	return &served{by: make([][]bool, witnesses), lo: make([][]int64, attackers), hi: make([][]int64, attackers), moves: moves, g: g, cells: cells}
}

func (s *served) serve(i, a int) {
	if s.by[i] == nil {
		s.by[i] = make([]bool, len(s.lo))
	}
	if s.by[i][a] {
		return
	}
	s.by[i][a] = true
	if s.lo[a] == nil {
		s.lo[a], s.hi[a] = make([]int64, s.cells), make([]int64, s.cells)
	}
	for _, m := range s.moves[s.g.of[i]] {
		s.lo[a][m.x] = min(s.lo[a][m.x], m.v)
		s.hi[a][m.x] = max(s.hi[a][m.x], m.v)
	}
}

// reaches says whether a witness serving a moves figure x by at least d ≥ 1 (down: by −d or
// further).
func (s *served) reaches(a, x int, d int64, down bool) bool {
	if s.lo[a] == nil {
		return false
	}
	if down {
		return s.lo[a][x] <= -d
	}
	return s.hi[a][x] >= d
}

// mover is a run of a pool's witnesses (its index) that moves some figure, and by how much.
type mover struct {
	i     int
	shift int64
}

// move is a figure (its index in carry's keys) that a witness moves, and by how much.
type move struct {
	x int
	v int64
}

// moversOf lists, for each figure of keys, the runs of pool (g) that move it, in the pool's
// order, and for each run the figures of keys it moves.
func moversOf(pool []witness, g runs, keys []cellKey) ([][]mover, [][]move) {
	at := make(map[cellKey]int, len(keys))
	for x, k := range keys {
		at[k] = x
	}
	movers, moves := make([][]mover, len(keys)), make([][]move, len(g.start)-1)
	for r := range moves {
		for k, v := range pool[g.start[r]].shift {
			if x, ok := at[k]; ok && v != 0 {
				movers[x] = append(movers[x], mover{r, v})
				moves[r] = append(moves[r], move{x, v})
			}
		}
	}
	return movers, moves
}

// carriedOf is the pool's witnesses that serve some attacker, with the attackers they serve.
func carriedOf(pool []witness, serves [][]bool, networks int) []carried {
	var out []carried
	for i, w := range pool {
		if serves[i] == nil {
			continue
		}
		c := carried{shift: w.shift}
		for a := 0; a <= networks; a++ {
			if serves[i][a] {
				c.attackers = append(c.attackers, a)
			}
		}
		out = append(out, c)
	}
	return out
}

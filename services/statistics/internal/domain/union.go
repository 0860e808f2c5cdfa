package domain

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/vif71/vif/services/statistics/internal/domain/disclosure"
)

// The union of a year's releases: the table that protects the next release (see release.go).

// protectAgainst protects the last of tables (the states of a year's releases, oldest first)
// given the patterns the earlier ones were published with.
func protectAgainst(ctx context.Context, tables []*yearTable, patterns []map[cellKey]bool, threshold int64) (map[cellKey]bool, error) {
	n := len(tables) - 1
	year := tables[n].year
	x := releaseUnion(tables, patterns, threshold)
	u := x.b
	hidden, err := disclosure.ProtectWith(x.protectable(), threshold, u.fates)
	if errors.Is(err, disclosure.ErrNoComplement) {
		hidden = hideFree(u, func(v int64) bool { return v > 0 })
	} else if err != nil {
		return nil, errUnpublishable(year, err)
	}
	if err := x.widen(ctx, tables, hidden, threshold); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err() // not unpublishable: nobody waits for the answer
		}
		return nil, errUnpublishable(year, fmt.Errorf("release %d: %w", n+1, err))
	}
	out := map[cellKey]bool{}
	for i, j := range x.current {
		if hidden[j] {
			out[x.currentKeys[i]] = true
		}
	}
	return out, nil
}

// widen gives every hidden cell of the union, the earlier releases' included, its interval
// against every attacker (disclosure.Widen) and checks the union (disclosure.Disclosed); if that
// fails, it hides every positive free cell and tries once more. Those hidden earlier are free
// for Widen (hidden already, and movable by its witnesses, since every relation is in the union).
func (x *union) widen(ctx context.Context, tables []*yearTable, hidden []bool, threshold int64) error {
	u := x.b
	fates := make([]disclosure.Fate, len(u.keys))
	for j, f := range u.fates {
		if f == disclosure.MustPublish {
			fates[j] = disclosure.MustPublish
		}
	}
	attackers := x.attackers(tables)
	public := x.givenAway(nil)
	safe := func(hidden []bool) bool {
		for _, j := range disclosure.Disclosed(u.t, hidden) {
			if u.t.Cells[j] != 0 && !public[j] {
				return false
			}
		}
		return true
	}
	// First with the headline figures that ProtectWith shows kept shown (see shown).
	for _, networks := range []bool{true, false} {
		keep := x.shown(hidden, networks)
		if len(keep) == 0 {
			continue
		}
		trial, tf := append([]bool(nil), hidden...), append([]disclosure.Fate(nil), fates...)
		for _, j := range keep {
			tf[j] = disclosure.MustPublish
		}
		_, _, err := disclosure.WidenContext(ctx, u.t, trial, tf, threshold, attackers, nil)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil && safe(trial) {
			copy(hidden, trial)
			return nil
		}
	}
	for attempt := 0; ; attempt++ {
		_, _, err := disclosure.WidenContext(ctx, u.t, hidden, fates, threshold, attackers, nil)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil && safe(hidden) {
			return nil
		}
		if attempt == 1 {
			if err == nil {
				err = errors.New("no safe pattern")
			}
			return err
		}
		for j := range hidden {
			if fates[j] == disclosure.Free && u.t.Cells[j] > 0 {
				hidden[j] = true
			}
		}
	}
}

// shown are the cells of the last release's headline figures that hidden (ProtectWith's
// pattern) shows: the département's, and with networks each network's of the year. Widen hides
// further free cells wherever a hidden cell needs room to move, and a total is one cell where
// the figures under it are many: left free, it is what gets hidden, and with it the totals
// above it. A year published month by month (13 networks, BenchmarkPublishEachMonth's reports)
// ended with the département's victims of the year and of 14 of its 16 quarters and months
// hidden, its 25 yearly buckets and every network's year too (476 cells hidden in release 12;
// one release of the same reports hides 272, none of those). widen keeps them shown first, then
// the département's only, and lets Widen hide them only when no pattern protects the release
// so (395 cells hidden in release 12, none of those; the networks' quarters are: their months
// were fixed one release at a time).
func (x *union) shown(hidden []bool, networks bool) []int {
	var out []int
	for i, j := range x.current {
		k := x.currentKeys[i]
		headline := k.network == "" || (networks && k.period.Granularity() == Year)
		if headline && !hidden[j] && x.b.fates[j] == disclosure.Free {
			out = append(out, j)
		}
	}
	return out
}

// union is the table of a year's releases that protectAgainst protects (see above).
type union struct {
	b           *builder // a cell's key carries, in release, the first release with its value
	cellOf      []map[cellKey]int
	current     []int // the union cell of each of the last release's cells
	currentKeys []cellKey
	own         map[int]map[string]int64 // a network's largest part of a département cell
	ids         map[string]bool          // the networks with a figure in any release
	withheld    map[int]bool             // the buckets withheld by rule (addBuckets)
	threshold   int64
	exact       bool               // the withheld buckets are cells (yearly)
	tables      []*builder         // each release's own table (tableTo(Month))
	patterns    []map[cellKey]bool // the earlier releases' patterns
}

// yearly reports whether every release of the year has yearly figures only (no quarter, no
// month): its union then holds the withheld buckets (addBuckets). Down to the months they
// would make the union many times larger and its protection many times slower, so a year
// reported by quarter or month keeps the rule that hides every changed département bucket.
func yearly(tables []*yearTable) bool {
	for _, y := range tables {
		for _, f := range y.figures {
			for p := range f {
				if p.Year() == y.year && p.Granularity() != Year {
					return false
				}
			}
		}
	}
	return true
}

// givenAway are the withheld cells that are owed no interval against an attacker whose parts of
// them are own (nil: none). A withheld bucket is owed what the single-state rule gives it
// (protection.go): no count from 1 to threshold-1, less the attacker's part, narrowed. A 0 or a
// larger count may be given away, as a single state gives away a bucket that is 0 or a
// published margin (one network alone: its buckets are the département's).
func (x *union) givenAway(own []int64) []bool {
	out := make([]bool, len(x.b.keys))
	for j := range x.withheld {
		v := x.b.t.Cells[j]
		if own != nil {
			v -= own[j]
		}
		out[j] = v < 1 || v >= x.threshold
	}
	return out
}

// releaseUnion builds the union of tables, the earlier releases' cells fixed as patterns
// published them, and the last release's cells free but for those it must hide.
func releaseUnion(tables []*yearTable, patterns []map[cellKey]bool, threshold int64) *union {
	n := len(tables) - 1
	x := &union{b: newBuilder(), cellOf: make([]map[cellKey]int, len(tables)), own: map[int]map[string]int64{}, ids: map[string]bool{}, withheld: map[int]bool{},
		tables: make([]*builder, len(tables)), patterns: patterns}
	first := map[identity]int{}
	x.exact = yearly(tables)
	for r, y := range tables {
		x.addRelease(r, y, first)
		if x.exact {
			x.addBuckets(r, y, first)
		}
	}
	u := x.b
	for r := range n {
		for k, j := range x.cellOf[r] {
			if !patterns[r][k] {
				u.fates[j] = disclosure.MustPublish
			} else if u.fates[j] != disclosure.MustPublish {
				u.fates[j] = disclosure.MustHide
			}
		}
	}
	// Without the withheld buckets (a year reported by quarter or month), a département bucket
	// whose value changed is hidden: the difference of two published values of a bucket would be
	// the changed networks' part of it.
	existed := map[cellKey]bool{}
	for r := range n {
		for k := range x.cellOf[r] {
			existed[k] = true
		}
	}
	for i, j := range x.current {
		k := x.currentKeys[i]
		if u.fates[j] == disclosure.Free && (tables[n].respondentPrimary(k, threshold) || (!x.exact && k.kind == bucketCell && existed[k])) {
			u.fates[j] = disclosure.MustHide
		}
	}
	x.threshold = threshold
	return x
}

// addBuckets adds release r's buckets withheld by rule (protection.go) to the union, hidden:
// each network's buckets of every period, the département's of the quarters and months, with
// their relations (a period's victims are the sum of its buckets of each breakdown, the
// département's bucket the sum of the networks', a network's rolled-up bucket the sum of its
// sub-periods'). A network's bucket is one cell for every release where the network's figures
// under its period are the same (the revision numbers tell a reader so; an equal value of a
// withheld figure tells nothing), one per state of them else.
func (x *union) addBuckets(r int, y *yearTable, first map[identity]int) {
	cell := func(k cellKey, v int64, fp string) int {
		fr, ok := first[identity{k, v, fp}]
		if !ok {
			fr = r
			first[identity{k, v, fp}] = r
		}
		uk := k
		uk.release = fr + 1
		j := x.b.add(uk, v, disclosure.MustHide)
		x.withheld[j] = true
		return j
	}
	at := map[cellKey]int{} // this release's withheld cells
	var walk func(P Period)
	walk = func(P Period) {
		x.addPeriodBuckets(r, y, P, cell, at)
		for _, c := range P.Children() {
			walk(c)
		}
	}
	walk(YearPeriod(y.year))
	for k, j := range at {
		if k.kind != bucketCell || k.network == "" || !y.figures[k.network][k.period].Derived {
			continue
		}
		var parts []int
		for _, c := range k.period.Children() {
			ck := k
			ck.period = c
			parts = append(parts, at[ck])
		}
		x.b.relate(j, parts)
	}
}

// addPeriodBuckets adds period P's withheld buckets (see addBuckets), with cell, and their
// relations within P; at records them.
func (x *union) addPeriodBuckets(r int, y *yearTable, P Period, cell func(cellKey, int64, string) int, at map[cellKey]int) {
	members := y.members(P)
	if len(members) == 0 {
		return
	}
	fps := make([]string, len(members))
	for m, id := range members {
		fps[m] = y.subtreeDigest(id, P)
	}
	for d, dim := range Dimensions {
		var buckets []int
		for b := range dim.Buckets {
			dk := cellKey{kind: bucketCell, dim: d, bucket: b, period: P}
			parts := make([]int, len(members))
			for m, id := range members {
				k := dk
				k.network = id
				parts[m] = cell(k, y.own(id, k), fps[m])
				at[k] = parts[m]
			}
			dept, ok := x.cellOf[r][dk]
			if !ok { // a quarter's or a month's
				dept = cell(dk, y.value(dk), y.readerDigest(dk, map[cellKey]string{}))
				at[dk] = dept
				x.addOwn(dept, y, dk)
			}
			x.b.relate(dept, parts)
			buckets = append(buckets, dept)
		}
		if P.Granularity() != Year {
			x.b.relate(x.cellOf[r][cellKey{kind: victimsCell, period: P}], buckets)
		}
		for _, id := range members {
			parts := make([]int, len(dim.Buckets))
			for b := range dim.Buckets {
				parts[b] = at[cellKey{kind: bucketCell, network: id, dim: d, bucket: b, period: P}]
			}
			x.b.relate(x.cellOf[r][cellKey{kind: victimsCell, network: id, period: P}], parts)
		}
	}
}

// addOwn records each network's part of département cell j (k in y), the largest over releases.
func (x *union) addOwn(j int, y *yearTable, k cellKey) {
	for _, nid := range y.ids {
		if o := y.own(nid, k); o > 0 {
			if x.own[j] == nil {
				x.own[j] = map[string]int64{}
			}
			x.own[j][nid] = max(x.own[j][nid], o)
		}
	}
}

// readerDigest names what a reader can tell of figure k's reports: a network's figure is the same
// while the network's figures under its period are (subtreeDigest), a département figure while
// every network's are; the revision numbers say which reports changed, and nothing else tells
// a reader that a hidden figure kept its value. A figure of the same value whose reports
// changed is another cell of the union: as one cell, a total that keeps its value while a victim
// moved from one network to another would tell the coordinator whose part moved the others'
// change exactly (a total of 15, 1 theirs, then 15, all theirs: the other network had 14), and
// an exemption found for it in one release (exempt) would be lent to a release where the
// reader cannot compute it. memo keeps the digests of a release by network and period.
func (y *yearTable) readerDigest(k cellKey, memo map[cellKey]string) string {
	key := cellKey{network: k.network, period: k.period}
	if d, ok := memo[key]; ok {
		return d
	}
	var d string
	if k.network != "" {
		d = y.subtreeDigest(k.network, k.period)
	} else {
		h := sha256.New()
		for _, id := range y.members(k.period) {
			fmt.Fprintf(h, "%s{%s}", id, y.readerDigest(cellKey{network: id, period: k.period}, memo))
		}
		d = string(h.Sum(nil))
	}
	memo[key] = d
	return d
}

// parts names the networks' non-zero parts of département figure k: in a year reported by
// quarter or month, whose union does not hold the withheld buckets, a département figure is one
// cell while its value and every network's part of it are the same. A département bucket that
// keeps its value and parts is then published again, as the earlier release did (a late
// network's 0 changes none of it); one whose parts moved is a new cell, hidden (releaseUnion).
func (y *yearTable) parts(k cellKey) string {
	var out []byte
	for _, id := range y.members(k.period) {
		if o := y.own(id, k); o != 0 {
			out = fmt.Appendf(out, "%s=%d;", id, o)
		}
	}
	return string(out)
}

// subtreeDigest names network id's figures of P and every period under it.
func (y *yearTable) subtreeDigest(id string, P Period) string {
	var out []byte
	var walk func(p Period)
	walk = func(p Period) {
		if f, ok := y.figures[id][p]; ok {
			out = fmt.Appendf(out, "%s:%v:%v;", p, f.Derived, f.Counts)
		}
		for _, c := range p.Children() {
			walk(c)
		}
	}
	walk(P)
	return string(out)
}

// protectable is the union without the relations of the withheld cells, for
// disclosure.ProtectWith, which would keep them underivable as hidden cells: a network's bucket
// is owed an interval only (Widen gives it), and may be given away (givenAway).
func (x *union) protectable() disclosure.Table {
	t := disclosure.Table{Cells: x.b.t.Cells}
	for _, rel := range x.b.t.Relations {
		if !x.withheld[rel.Total] && !x.withheld[rel.Parts[0]] {
			t.Relations = append(t.Relations, rel)
		}
	}
	return t
}

// identity is a figure with its value and what a reader can tell of its reports (readerDigest;
// for a withheld network bucket subtreeDigest; for a département bucket of a year reported by
// quarter or month, its parts): one cell of the union for every release where they are the same.
type identity struct {
	k  cellKey
	v  int64
	fp string
}

// addRelease adds release r's cells and relations to the union (first: the first release of
// each identity added so far); cells are free, releaseUnion gives them their fates.
func (x *union) addRelease(r int, y *yearTable, first map[identity]int) {
	b := y.tableTo(Month)
	x.tables[r] = b
	at := make([]int, len(b.keys))
	x.cellOf[r] = map[cellKey]int{}
	last := r == len(x.cellOf)-1
	digests := map[cellKey]string{} // by network (or "") and period
	for i, k := range b.keys {
		v := b.t.Cells[i]
		id := identity{k: k, v: v}
		switch {
		case x.exact || k.kind != bucketCell:
			id.fp = y.readerDigest(k, digests)
		case k.network == "":
			id.fp = y.parts(k)
		}
		fr, ok := first[id]
		if !ok {
			fr = r
			first[id] = r
		}
		uk := k
		uk.release = fr + 1
		j := x.b.add(uk, v, disclosure.Free)
		at[i] = j
		x.cellOf[r][k] = j
		if last {
			x.current = append(x.current, j)
			x.currentKeys = append(x.currentKeys, k)
		}
		if k.network == "" {
			x.addOwn(j, y, k)
		}
	}
	for _, id := range y.ids {
		x.ids[id] = true
	}
	for _, rel := range b.t.Relations {
		parts := make([]int, len(rel.Parts))
		for i, q := range rel.Parts {
			parts[i] = at[q]
		}
		x.b.relate(at[rel.Total], parts)
	}
}

// attackers are the readers of the union: the public, then each network's coordinator, who
// knows their network's figures in every release and their part of the département's.
func (x *union) attackers(tables []*yearTable) []disclosure.Attacker {
	u := x.b
	out := []disclosure.Attacker{{Exempt: x.givenAway(nil)}}
	for _, id := range networkIDs(x.ids) {
		a := disclosure.Attacker{Known: make([]bool, len(u.keys)), Own: make([]int64, len(u.keys))}
		for j, k := range u.keys {
			switch k.network {
			case id:
				a.Known[j] = true
			case "":
				a.Own[j] = x.own[j][id]
			}
		}
		var derivable []bool
		a.Exempt, derivable = exempt(x, tables, id)
		given := x.givenAway(a.Own)
		for j, d := range derivable {
			// They know it: no witness against them may move it either (release 2: a bucket of
			// 1 known to them from release 1 pins the breakdown's other bucket, total − 1).
			a.Known[j] = a.Known[j] || d
			a.Exempt[j] = a.Exempt[j] || given[j]
		}
		out = append(out, a)
	}
	return out
}

package domain

import "github.com/vif71/vif/services/statistics/internal/domain/disclosure"

// What a coordinator knew before a release, which the union need not protect against them.

// exempt marks the département cells of the union whose part not network id's the coordinator
// of id knew before this release: it follows from the cells earlier releases published and
// their own network's figures, in a release the cell is in where id has a figure for its period
// (their part of it may be 0). Hiding such a cell protects nothing against them (see
// disclosure.Attacker.Exempt); it is still protected against everyone else.
//
// The part not theirs of a total is the total less their own part, which they know: it follows
// exactly when the total does, from what is published and their own network's cells, their
// buckets included (a département bucket is the sum of the networks' buckets, cells of the
// union: the other networks' that did not change are one cell in two releases, so release 1
// publishes a bucket of 13, 7 theirs, release 2 changes only their own part, to 0, and the
// bucket, 6, follows). So one elimination over the union decides. A union without the withheld
// buckets (not yearly) merges département buckets beyond the reader (parts), so the
// elimination runs on the reader's own table instead (readerCells), with z = the département
// bucket less their part, and a union cell follows when each of its reader cells does.
//
// derivable are all the cells of the union that they know so, of their periods or not.
func exempt(x *union, tables []*yearTable, id string) (out, derivable []bool) {
	u, cellOf := x.b, x.cellOf
	theirs := map[int]bool{} // département cells of a period id has a figure for, in a release they are in
	for r, cells := range cellOf {
		for k, j := range cells {
			if _, ok := tables[r].figures[id][k.period]; ok && k.network == "" {
				theirs[j] = true
			}
		}
	}
	out, derivable = make([]bool, len(u.keys)), make([]bool, len(u.keys))
	if len(theirs) == 0 {
		return out, derivable
	}
	mask := make([]bool, len(u.keys))
	for j, k := range u.keys {
		mask[j] = u.fates[j] != disclosure.MustPublish && k.network != id
	}
	if !x.exact {
		t, unknown, of := x.readerCells(tables, id)
		// A union cell is derivable when each of its reader cells is known or derivable.
		left := make([]int, len(u.keys)) // its reader cells not (yet) known to follow
		for c, j := range of {
			if unknown[c] {
				left[j]++
			}
		}
		for _, c := range disclosure.Derivable(t, unknown) {
			if c < len(of) {
				left[of[c]]--
			}
		}
		for j, k := range u.keys {
			if mask[j] && left[j] == 0 && k.network != id {
				out[j], derivable[j] = theirs[j], true
			}
		}
		return out, derivable
	}
	for _, j := range disclosure.Derivable(u.t, mask) {
		out[j], derivable[j] = theirs[j], true
	}
	return out, derivable
}

// readerCells is, for exempt, the reader's own table of a year reported by quarter or month,
// whose union takes a département bucket of the same value and parts in two releases for one
// cell though reports under it changed (parts): the reader cannot, and an exemption found for
// it in one release would be lent to the other. Every release's figures are cells as the reader
// tells them apart (one while no report under it changed: readerDigest), with their relations,
// and each département bucket is network id's part o (known to them; 0 in a release where id has
// no figure for its period) plus the rest z (one cell while no other network's report under it
// changed). unknown are the cells that id does not know before the last release (neither an
// earlier release's published figure nor their own network's, nor an o); of maps each cell of
// the releases' figures to the union's (the o and z come after them).
func (x *union) readerCells(tables []*yearTable, id string) (t disclosure.Table, unknown []bool, of []int) {
	n := len(tables) - 1
	type rk struct {
		k  cellKey
		v  int64
		fp string
	}
	cells := map[rk]int{}
	cell := func(key rk, known bool) int {
		c, ok := cells[key]
		if !ok {
			c = len(t.Cells)
			cells[key] = c
			t.Cells = append(t.Cells, key.v)
			unknown = append(unknown, true)
		}
		if known {
			unknown[c] = false
		}
		return c
	}
	idx := make([][]int, len(tables))
	for r, y := range tables {
		b, memo := x.tables[r], map[cellKey]string{}
		idx[r] = make([]int, len(b.keys))
		for i, k := range b.keys {
			published := r < n && !x.patterns[r][k]
			idx[r][i] = cell(rk{k, b.t.Cells[i], y.readerDigest(k, memo)}, published || k.network == id)
			if len(of) < len(t.Cells) {
				of = append(of, x.cellOf[r][k])
			}
		}
	}
	for r, y := range tables {
		b, memo := x.tables[r], map[cellKey]string{}
		for _, rel := range b.t.Relations {
			parts := make([]int, len(rel.Parts))
			for i, q := range rel.Parts {
				parts[i] = idx[r][q]
			}
			t.Relations = append(t.Relations, disclosure.Relation{Total: idx[r][rel.Total], Parts: parts})
		}
		for i, k := range b.keys {
			if k.kind != bucketCell || k.network != "" {
				continue
			}
			own := y.own(id, k)
			rest := ""
			for _, nid := range y.members(k.period) {
				if nid != id {
					rest += nid + "{" + y.readerDigest(cellKey{network: nid, period: k.period}, memo) + "}"
				}
			}
			o := cell(rk{cellKey{kind: k.kind, network: id, dim: k.dim, bucket: k.bucket, period: k.period, release: -1}, own, ""}, true)
			z := cell(rk{k, b.t.Cells[i] - own, "rest " + rest}, false)
			t.Relations = append(t.Relations, disclosure.Relation{Total: idx[r][i], Parts: []int{o, z}})
		}
	}
	return t, unknown, of
}

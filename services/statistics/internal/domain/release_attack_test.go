package domain

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"

	"github.com/vif71/vif/services/statistics/attack"
)

// The attacker of a sequence of releases, and the release log the tests keep in memory.

// memoryReleases is a ReleaseLog in memory.
type memoryReleases map[int][]Release

func (m memoryReleases) LatestRelease(_ context.Context, year int) (int, [sha256.Size]byte, error) {
	hist := m[year]
	if len(hist) == 0 {
		return 0, [sha256.Size]byte{}, nil
	}
	return len(hist), hist[len(hist)-1].Digest, nil
}

func (m memoryReleases) Releases(_ context.Context, year int) ([]Release, error) {
	return append([]Release(nil), m[year]...), nil
}

func (m memoryReleases) LastRelease(_ context.Context, year int) (Release, bool, error) {
	hist := m[year]
	if len(hist) == 0 {
		return Release{}, false, nil
	}
	return hist[len(hist)-1], true, nil
}

func (m memoryReleases) ReleasedYears(_ context.Context, from, to int) ([]int, error) {
	var out []int
	for year, hist := range m {
		if year >= from && year <= to && len(hist) > 0 {
			out = append(out, year)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (m memoryReleases) AddRelease(_ context.Context, r Release) error {
	if r.Number != len(m[r.Year])+1 {
		return ErrReleaseTaken
	}
	m[r.Year] = append(m[r.Year], r)
	return nil
}

// publish publishes the state rs of every year it has in log, as an admin does: a state that is
// the latest release already, or that cannot be protected, records nothing.
func publish(t fatalf, rs []*Report, threshold int64, log ReleaseLog) {
	ctx := context.Background()
	p := NewPublisher(rs, nil, threshold, Actor{Admin: true})
	years := map[int]bool{}
	for _, r := range rs {
		years[r.Period.Year()] = true
	}
	for _, year := range sortedYears(years) {
		hist, err := log.Releases(ctx, year)
		if err != nil {
			t.Fatalf("Releases: %v", err)
		}
		next, err := p.NextRelease(ctx, year, hist)
		if errors.Is(err, ErrNothingToPublish) || errors.Is(err, ErrUnpublishable) {
			continue
		}
		if err == nil {
			err = log.AddRelease(ctx, next)
		}
		if err != nil {
			t.Fatalf("publish %d: %v", year, err)
		}
	}
}

// publisher is a Publisher for viewer over rs once rs is published (publish) in log.
func publisher(t fatalf, rs []*Report, threshold int64, viewer Actor, log ReleaseLog) *Publisher {
	publish(t, rs, threshold, log)
	p := NewPublisher(rs, nil, threshold, viewer)
	if err := p.UseReleases(context.Background(), log, FirstYear, LastYear); err != nil {
		t.Fatalf("UseReleases: %v", err)
	}
	return p
}

// attackReleases lets the attacker read every answer of every state of the reports (each with
// the same release log), as the public and, when respondent is set, as that network's
// coordinator too, and returns the hidden cells it bounds too tightly across all of them. Its
// system is the union of each state's model (protection_property_test.go's, every network's
// every bucket included), and it is a real reader of every release: they know every published
// value, the relations, their own network's figures in every state (a coordinator), and which
// reports changed from one state to the next (the revision numbers say so), so that a figure is
// one cell across states while no report under its period changed (for a network's figure, the
// network's: subtree; for a département figure, any network's: everySubtree), and one cell per
// state else. Nothing tells them that a figure whose reports changed kept its value: a withheld
// April bucket that is 5 in states 1 and 3 and 4 in between is two cells (had the attacker
// equated them because the values are equal, a late network's 1 under it would be pinned), and
// a published one is known in each state anyway.
func attackReleases(t fatalf, states [][]*Report, year int, threshold int64, respondent string) []exposure {
	log := memoryReleases{}
	type identity struct {
		k  cellKey
		v  int64
		fp string // the figures under the period (subtree, everySubtree)
	}
	u := newBuilder()
	at := map[identity]int{}
	known := map[int]bool{}
	offset := map[int]int64{}
	firstPublished := map[int]int{} // the first state whose answers published a cell
	cellsOf := make([]map[cellKey]int, len(states))
	for s, rs := range states {
		public := publisher(t, rs, threshold, Actor{}, log)
		// What the answers give is the year's latest release: this state, or the one before
		// when this one could not be protected against the earlier releases.
		hist := log[year]
		figs := hist[len(hist)-1].Figures
		o, _ := buildOracle(figs, year)
		o.own = respondent
		o.observe(t, public, rs, year)
		if respondent != "" {
			o.observe(t, publisher(t, rs, threshold, Actor{Network: respondent}, log), rs, year)
		}
		idx := make([]int, len(o.b.keys))
		cellsOf[s] = map[cellKey]int{}
		for i, k := range o.b.keys {
			id := identity{k: k, v: o.b.t.Cells[i], fp: everySubtree(figs, k.period)}
			if k.network != "" {
				id.fp = subtree(figs[k.network], k.period)
			}
			j, ok := at[id]
			if !ok {
				uk := k
				uk.release = s + 1
				j = u.add(uk, id.v, 0)
				at[id] = j
			}
			idx[i] = j
			cellsOf[s][k] = j
			if _, pub := o.known[i]; pub {
				if _, seen := firstPublished[j]; !seen {
					firstPublished[j] = s
				}
			}
			if _, pub := o.known[i]; pub || (respondent != "" && k.network == respondent) {
				known[j] = true
			}
			if respondent != "" && k.network == "" {
				own := k
				own.network = respondent
				if m, ok := o.b.index[own]; ok {
					offset[j] = max(offset[j], o.b.t.Cells[m])
				}
			}
		}
		for _, r := range o.b.t.Relations {
			parts := make([]int, len(r.Parts))
			for x, p := range r.Parts {
				parts[x] = idx[p]
			}
			u.relate(idx[r.Total], parts)
		}
	}
	n := len(u.keys)
	kn := make([]bool, n)
	want := make([]bool, n)
	for j, k := range u.keys {
		kn[j] = known[j]
		v := u.t.Cells[j] - offset[j]
		policy := k.kind == bucketCell && (k.network != "" || k.period.Granularity() != Year)
		want[j] = !kn[j] && v >= 1 && (!policy || v < threshold)
	}
	ivs, err := attack.IntervalsOf(u.t, kn, want)
	if err != nil {
		t.Fatalf("attack: %v", err)
	}
	exempt := exemptions(t, u, cellsOf, firstPublished, respondent)
	var out []exposure
	for j := range u.keys {
		if !want[j] || exempt[j] {
			continue
		}
		iv := ivs[j]
		if !iv.Unbounded {
			iv.Hi -= offset[j]
		}
		iv.Lo -= offset[j]
		if iv.Width() < threshold || (iv.Lo >= 1 && !iv.Unbounded && iv.Hi <= threshold-1) {
			out = append(out, exposure{u.keys[j], u.t.Cells[j] - offset[j], iv})
		}
	}
	return out
}

// everySubtree is every network's figures for p and every period under it (subtree), of the
// networks that have any: a département figure is one cell across states while none of them
// changed.
func everySubtree(figs map[string]Figures, p Period) string {
	out := ""
	for _, id := range networkIDs(figs) {
		if s := subtree(figs[id], p); s != "" {
			out += id + "{" + s + "}"
		}
	}
	return out
}

// subtree is a network's figures for p and every period under it. A network's bucket is
// withheld from everyone but its coordinator, so a reader knows it did not change only when the
// network's reports under its period did not (the revision numbers say so), not when its value
// happens to be the same: attackReleases shares it across states only then.
func subtree(f Figures, p Period) string {
	out := ""
	var walk func(p Period)
	walk = func(p Period) {
		if fig, ok := f[p]; ok {
			out += fmt.Sprintf("%s:%v;", p, fig.Counts)
		}
		for _, c := range p.Children() {
			walk(c)
		}
	}
	walk(p)
	return out
}

// exemptions are the département cells of a state s ≥ 1 whose part not the respondent's own
// (z = total − own part) the respondent can compute from what they knew before s was published
// and what s publishes: the linear programme, knowing what the states up to s published and
// their own network's figures, pins z exactly. Hiding such a cell protects nothing against them
// (the engine's disclosure.Attacker.Exempt): they know it whether it is shown or not, and it
// tells them nothing that the figures shown and their earlier knowledge do not; every part of z,
// each other network's figure, is a cell of the model that is checked without exemption (if z
// is small, each of its non-zero parts is bounded too tightly there). State 1 publishes a
// total of 25, 1 the respondent's; state 3 hides the total, 39, when a late network reports 0
// (shown): the other networks' part is state 1's 24 and the late 0, known, hidden or not.
func exemptions(t fatalf, u *builder, cellsOf []map[cellKey]int, firstPublished map[int]int, respondent string) map[int]bool {
	out := map[int]bool{}
	if respondent == "" {
		return out
	}
	for s := 1; s < len(cellsOf); s++ {
		tab := u.t
		tab.Cells = append([]int64(nil), u.t.Cells...)
		tab.Relations = append(tab.Relations[:len(tab.Relations):len(tab.Relations)], nil...)
		zOf := map[int]int{}
		for k, j := range cellsOf[s] {
			if k.network != "" {
				continue
			}
			ok := k
			ok.network = respondent
			oc, found := cellsOf[s][ok]
			if !found {
				continue
			}
			z := len(tab.Cells)
			tab.Cells = append(tab.Cells, u.t.Cells[j]-u.t.Cells[oc])
			tab.Relations = append(tab.Relations, attack.Relation{Total: j, Parts: []int{oc, z}})
			zOf[z] = j
		}
		known := make([]bool, len(tab.Cells))
		want := make([]bool, len(tab.Cells))
		for j, k := range u.keys {
			first, pub := firstPublished[j]
			known[j] = (pub && first <= s) || k.network == respondent
		}
		for z := range zOf {
			want[z] = true
		}
		ivs, err := attack.IntervalsOf(tab, known, want)
		if err != nil {
			t.Fatalf("attack: %v", err)
		}
		for z, j := range zOf {
			if iv := ivs[z]; !iv.Unbounded && iv.Lo == iv.Hi {
				out[j] = true
			}
		}
	}
	return out
}

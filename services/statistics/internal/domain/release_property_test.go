package domain

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"testing"

	"pgregory.net/rapid"

	"github.com/vif71/vif/services/statistics/attack"
)

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
	if err := p.UseReleases(context.Background(), log); err != nil {
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

// drawChanges draws the states that follow rs: each adds a late report (a network's period
// that had none, or a network that had reported nothing) or corrects one (its next revision).
// Its victims are all in the UNKNOWN buckets unless split, when they are split at random among
// the buckets as drawReports does (so that a change moves a département bucket through some
// networks' parts and not others'). The fail files of the unsplit properties stay valid.
func drawChanges(t *rapid.T, rs []*Report, year int, split bool) [][]*Report {
	states := [][]*Report{rs}
	for c := range rapid.IntRange(1, 3).Draw(t, "changes") {
		prev := states[len(states)-1]
		id := fmt.Sprintf("n%d", rapid.IntRange(0, 3).Draw(t, fmt.Sprint("network of change ", c)))
		periods := append(append([]Period{YearPeriod(year)}, YearPeriod(year).Expand(Quarter)...), YearPeriod(year).Expand(Month)...)
		p := rapid.SampledFrom(periods).Draw(t, fmt.Sprint("period of change ", c))
		victims := rapid.Int64Range(0, 15).Draw(t, fmt.Sprint("victims of change ", c))
		sub := Submission{Victims: victims, Children: rapid.Int64Range(0, victims).Draw(t, fmt.Sprint("children of change ", c))}
		if split {
			sub.Breakdowns = drawSplit(t, victims, fmt.Sprint("change ", c))
		}
		counts, err := NewCounts(sub)
		if err != nil {
			t.Fatal(err)
		}
		next := &Report{Network: id, Period: p, Revision: 1, Counts: counts}
		var state []*Report
		for _, r := range prev {
			if r.Network == id && r.Period == p {
				next.Revision = r.Revision + 1
				continue
			}
			state = append(state, r)
		}
		states = append(states, append(state, next))
	}
	return states
}

// drawSplit draws how victims split among each breakdown's buckets (the last, UNKNOWN, takes
// the rest).
func drawSplit(t *rapid.T, victims int64, label string) [][]BucketCount {
	var out [][]BucketCount
	for d, dim := range Dimensions {
		left := victims
		var listed []BucketCount
		for _, b := range dim.Buckets[:len(dim.Buckets)-1] {
			v := rapid.Int64Range(0, left).Draw(t, fmt.Sprintf("%s %d %s", label, d, b))
			left -= v
			listed = append(listed, BucketCount{b, v})
		}
		out = append(out, listed)
	}
	return out
}

// acrossReleases draws a year's reports and up to three changes (split: their victims split
// among the buckets), publishes each state, and fails when a hidden count is bounded too
// tightly by a public reader of every release, or with respondents by each network's
// coordinator.
func acrossReleases(t *testing.T, split, respondents bool) {
	withReleaseChecks(t)
	withDimensions(t, []Dimension{{Field: "by_form", Buckets: []string{"PHYSICAL", Unknown}}})
	rapid.Check(t, func(t *rapid.T) {
		states := drawChanges(t, drawReports(t, 2024), 2024, split)
		if !respondents {
			if e := attackReleases(t, states, 2024, DefaultThreshold, ""); len(e) > 0 {
				t.Fatalf("%d hidden counts are bounded too tightly by a public reader of %d releases, e.g. %v", len(e), len(states), e[0])
			}
			return
		}
		for _, id := range networksOf(states[len(states)-1]) {
			if e := attackReleases(t, states, 2024, DefaultThreshold, id); len(e) > 0 {
				t.Fatalf("%d hidden counts are bounded too tightly by the coordinator of %s over %d releases, e.g. %v", len(e), id, len(states), e[0])
			}
		}
	})
}

func TestNoHiddenCountIsNarrowedAcrossReleases(t *testing.T) { acrossReleases(t, false, false) }

func TestNoHiddenCountIsNarrowedAcrossReleasesByARespondent(t *testing.T) {
	acrossReleases(t, false, true)
}

// TestNoHiddenCountIsNarrowedAcrossReleasesWithBuckets is the public property with changes
// whose victims are split among the buckets.
func TestNoHiddenCountIsNarrowedAcrossReleasesWithBuckets(t *testing.T) {
	acrossReleases(t, true, false)
}

// TestNoHiddenCountIsNarrowedAcrossReleasesByARespondentWithBuckets is the respondent's
// property with changes whose victims are split among the buckets: a département bucket then
// changes through some other networks' parts while others' stay.
func TestNoHiddenCountIsNarrowedAcrossReleasesByARespondentWithBuckets(t *testing.T) {
	acrossReleases(t, true, true)
}

// TestALateReportIsNotTheDifferenceOfTwoReleases is the example: the département's
// March goes from 143 to 145 when a late network reports 2.
func TestALateReportIsNotTheDifferenceOfTwoReleases(t *testing.T) {
	m := MonthPeriod(2024, 3)
	before := []*Report{monthReport(t, "a", m, 70, 30), monthReport(t, "b", m, 73, 30)}
	after := append(append([]*Report(nil), before...), monthReport(t, "c", m, 2, 1))
	for _, respondent := range []string{"", "a", "b", "c"} {
		if e := attackReleases(t, [][]*Report{before, after}, 2024, DefaultThreshold, respondent); len(e) > 0 {
			t.Errorf("attacker %q bounds %d hidden counts too tightly across the two releases, e.g. %v", respondent, len(e), e[0])
		}
	}
}

// TestACorrectionDoesNotGiveTheOldValueAway: a correction raises a's March from 2 to 9 (the
// revision number says which report changed); the old 2 must stay protected.
func TestACorrectionDoesNotGiveTheOldValueAway(t *testing.T) {
	m := MonthPeriod(2024, 3)
	before := []*Report{monthReport(t, "a", m, 2, 1), monthReport(t, "b", m, 40, 20), monthReport(t, "c", m, 30, 10)}
	corrected := monthReport(t, "a", m, 9, 1)
	corrected.Revision = 2
	after := []*Report{corrected, before[1], before[2]}
	for _, respondent := range []string{"", "a", "b", "c"} {
		if e := attackReleases(t, [][]*Report{before, after}, 2024, DefaultThreshold, respondent); len(e) > 0 {
			t.Errorf("attacker %q bounds %d hidden counts too tightly across the two releases, e.g. %v", respondent, len(e), e[0])
		}
	}
}

// TestAReleaseIsTheYearsFiguresOnly: answers over different ranges of years see different
// networks, not different states of a year: they must not make releases.
func TestAReleaseIsTheYearsFiguresOnly(t *testing.T) {
	log := memoryReleases{}
	a := monthReport(t, "a", MonthPeriod(2024, 3), 40, 20)
	b := monthReport(t, "b", MonthPeriod(2024, 3), 30, 10)
	old := monthReport(t, "c", MonthPeriod(2023, 3), 12, 3) // c reported in 2023 only
	publisher(t, []*Report{a, b}, DefaultThreshold, Actor{}, log)
	publisher(t, []*Report{old, a, b}, DefaultThreshold, Actor{}, log)
	publisher(t, []*Report{a, b}, DefaultThreshold, Actor{}, log)
	if n := len(log[2024]); n != 1 {
		t.Errorf("2024 has %d releases; want 1 (its figures never changed)", n)
	}
}

// TestALateNetworksYearIsReleased: a network that reports its year late (2 victims, every
// bucket unknown) makes release 2. Its coordinator knows the département's new total and
// buckets anyway (release 1's plus their own): that is no reason to refuse the release.
func TestALateNetworksYearIsReleased(t *testing.T) {
	y := YearPeriod(2025)
	mk := func(n string, p Period, v, c int64) *Report {
		cs, err := NewCounts(Submission{Victims: v, Children: c})
		if err != nil {
			t.Fatal(err)
		}
		return &Report{Network: n, Period: p, Revision: 1, Counts: cs}
	}
	before := []*Report{mk("a", y, 30, 10), mk("b", QuarterPeriod(2025, 1), 12, 3), mk("b", QuarterPeriod(2025, 2), 7, 3),
		mk("b", QuarterPeriod(2025, 3), 6, 3), mk("b", QuarterPeriod(2025, 4), 6, 3)}
	after := append(append([]*Report(nil), before...), mk("c", y, 2, 1))
	log := memoryReleases{}
	publisher(t, before, DefaultThreshold, Actor{}, log)
	publisher(t, after, DefaultThreshold, Actor{}, log)
	if n := len(log[2025]); n != 2 {
		t.Fatalf("2025 has %d releases; want 2", n)
	}
	for _, respondent := range []string{"", "a", "b", "c"} {
		if e := attackReleases(t, [][]*Report{before, after}, 2025, DefaultThreshold, respondent); len(e) > 0 {
			t.Errorf("attacker %q bounds %d hidden counts too tightly across the two releases, e.g. %v", respondent, len(e), e[0])
		}
	}
}

// TestAPublisherWhoLeavesMakesNoRelease: the protection of a new state against the earlier
// releases stops when the publisher's context is done; it gives no release (it does not fall
// back to anything as if the new state could not be protected).
func TestAPublisherWhoLeavesMakesNoRelease(t *testing.T) {
	m := MonthPeriod(2024, 3)
	before := []*Report{monthReport(t, "a", m, 70, 30), monthReport(t, "b", m, 73, 30)}
	after := append(append([]*Report(nil), before...), monthReport(t, "c", m, 2, 1))
	log := memoryReleases{}
	publisher(t, before, DefaultThreshold, Actor{}, log)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := NewPublisher(after, nil, DefaultThreshold, Actor{Admin: true}).NextRelease(ctx, 2024, log[2024])
	if !errors.Is(err, context.Canceled) {
		t.Errorf("NextRelease for a publisher who has left = %v; want context.Canceled", err)
	}
	if n := len(log[2024]); n != 1 {
		t.Errorf("2024 has %d releases after the publisher left; want 1", n)
	}
	publisher(t, after, DefaultThreshold, Actor{}, log)
	if n := len(log[2024]); n != 2 {
		t.Errorf("2024 has %d releases after a publisher who stayed; want 2", n)
	}
}

// TestALaterReleaseAnswersWithThePatternItRecorded: release 2 records the pattern it was
// published with, and every later answer from it uses that pattern, not one computed again
// (another version of the protection could choose another pattern for the same figures, and two
// patterns of one state give away more than either). Tampering with the recorded pattern shows
// which one answers.
func TestALaterReleaseAnswersWithThePatternItRecorded(t *testing.T) {
	m := MonthPeriod(2024, 3)
	before := []*Report{monthReport(t, "a", m, 70, 30), monthReport(t, "b", m, 73, 30)}
	after := append(append([]*Report(nil), before...), monthReport(t, "c", m, 2, 1))
	log := memoryReleases{}
	publisher(t, before, DefaultThreshold, Actor{}, log)
	p := publisher(t, after, DefaultThreshold, Actor{}, log)
	rel := log[2024][1]
	if rel.Number != 2 || rel.Hidden == nil {
		t.Fatalf("release 2 = %+v; want it to record its pattern", rel)
	}
	h, err := patternOf(rel.Hidden)
	if err != nil || !maps.Equal(h, p.released[2024]) {
		t.Fatalf("the recorded pattern reads back as %v, %v; want the one answered with, %v", h, err, p.released[2024])
	}
	aMarch := cellKey{kind: victimsCell, network: "a", period: m}
	if h[aMarch] {
		t.Fatalf("a's March is hidden in release 2; the test needs a published figure to tamper with")
	}
	log[2024][1].Hidden = append(append([]string(nil), rel.Hidden...), aMarch.cellName())
	got, err := publisher(t, after, DefaultThreshold, Actor{}, log).Figures("a", m, Month)
	if err != nil || !got.Victims.Hidden {
		t.Errorf("a's March from release 2 as recorded = %+v, %v; want hidden, as the recorded pattern says", got.Victims, err)
	}
	if n := len(log[2024]); n != 2 {
		t.Errorf("2024 has %d releases; want still 2", n)
	}
}

// TestABucketWhoseOtherPartsDidNotChange is the counterexample the property drew, in two
// releases of one breakdown (PHYSICAL, UNKNOWN). Release 1: a has 7 victims, all PHYSICAL, b 6,
// all PHYSICAL; the département's year, 13, PHYSICAL 13 and UNKNOWN 0, is published. Release 2:
// a corrects its year to 7 victims, none PHYSICAL; the département's PHYSICAL, now 6, changed.
// It narrows no network's bucket below the protection level (b's 6 is b's year, published), so
// release 2 publishes it. a's coordinator knows it anyway: their own part is 0 and b's, which
// did not change, is 13 − 7 from release 1. Hidden, it would protect nothing against them: the
// engine marks it exempt for them (though their part of it is 0), and the attacker finds
// nothing they did not know before.
func TestABucketWhoseOtherPartsDidNotChange(t *testing.T) {
	withDimensions(t, []Dimension{{Field: "by_form", Buckets: []string{"PHYSICAL", Unknown}}})
	y := YearPeriod(2024)
	mk := func(network string, revision, victims, physical int64) *Report {
		c, err := NewCounts(Submission{Victims: victims, Breakdowns: [][]BucketCount{{{"PHYSICAL", physical}}}})
		if err != nil {
			t.Fatal(err)
		}
		return &Report{Network: network, Period: y, Revision: revision, Counts: c}
	}
	before := []*Report{mk("a", 1, 7, 7), mk("b", 1, 6, 6)}
	after := []*Report{mk("a", 2, 7, 0), before[1]}
	var tables []*yearTable
	for _, rs := range [][]*Report{before, after} {
		f := NewPublisher(rs, nil, DefaultThreshold, Actor{}).figures
		tables = append(tables, &yearTable{year: 2024, figures: f, ids: networkIDs(f)})
	}
	physical := cellKey{kind: bucketCell, period: y}
	first, err := tables[0].protect(Month, DefaultThreshold)
	if err != nil || first[physical] {
		t.Fatalf("release 1 hides %v (%v); want the département's PHYSICAL published", first, err)
	}
	second, err := protectAgainst(context.Background(), tables, []map[cellKey]bool{first}, DefaultThreshold)
	if err != nil || second[physical] {
		t.Fatalf("release 2 hides %v (%v); want the département's PHYSICAL published", second, err)
	}
	x := releaseUnion(tables, []map[cellKey]bool{first}, DefaultThreshold)
	if ex, _ := exempt(x, tables, "a"); !ex[x.cellOf[1][physical]] {
		t.Errorf("release 2's PHYSICAL (6) is not exempt for a's coordinator, who knows it is 0 + (13 − 7)")
	}
	for _, respondent := range []string{"", "a", "b"} {
		if e := attackReleases(t, [][]*Report{before, after}, 2024, DefaultThreshold, respondent); len(e) > 0 {
			t.Errorf("attacker %q bounds %d hidden counts too tightly across the two releases, e.g. %v", respondent, len(e), e[0])
		}
	}
}

// TestNoYearBucketIsNarrowedAcrossReleases draws year reports only (2 to 4 networks, their
// victims split among the buckets) and up to three late reports or corrections of a year, so
// that a département bucket often keeps its value while its parts move; no hidden count may be
// narrowed, for the public or any coordinator.
func TestNoYearBucketIsNarrowedAcrossReleases(t *testing.T) {
	withPropertyChecks(t)
	withDimensions(t, []Dimension{{Field: "by_form", Buckets: []string{"PHYSICAL", Unknown}}})
	rapid.Check(t, func(t *rapid.T) {
		y := YearPeriod(2024)
		report := func(id string) *Report {
			v := rapid.Int64Range(0, 15).Draw(t, "victims of "+id)
			c, err := NewCounts(Submission{Victims: v, Breakdowns: drawSplit(t, v, id)})
			if err != nil {
				t.Fatal(err)
			}
			return &Report{Network: id, Period: y, Revision: 1, Counts: c}
		}
		var rs []*Report
		for n := range rapid.IntRange(2, 4).Draw(t, "networks") {
			rs = append(rs, report(fmt.Sprintf("n%d", n)))
		}
		states := [][]*Report{rs}
		for range rapid.IntRange(1, 3).Draw(t, "changes") {
			next := report(fmt.Sprintf("n%d", rapid.IntRange(0, 4).Draw(t, "network of change")))
			var state []*Report
			for _, r := range states[len(states)-1] {
				if r.Network == next.Network {
					next.Revision = r.Revision + 1
					continue
				}
				state = append(state, r)
			}
			states = append(states, append(state, next))
		}
		for _, id := range append([]string{""}, networksOf(states[len(states)-1])...) {
			if e := attackReleases(t, states, 2024, DefaultThreshold, id); len(e) > 0 {
				t.Fatalf("%d hidden counts are bounded too tightly by attacker %q over %d releases, e.g. %v", len(e), id, len(states), e[0])
			}
		}
	})
}

// TestABucketThatKeepsItsValueWithOtherParts is a counterexample that property drew. Release 1:
// n0 8 victims (PHYSICAL 7, UNKNOWN 1), n1 4 (UNKNOWN 4); release 2: n1 corrects to 9 (PHYSICAL
// 8, UNKNOWN 1), so the département's UNKNOWN is 2, 1 of it n1's. Then n4 reports 3 late
// (PHYSICAL 2, UNKNOWN 1), and n1 corrects to 0: the département's UNKNOWN is 2 again, now
// 1 + 0 + 1. Taken for one cell of the two releases (as if it had not changed), n1's coordinator,
// who knows their part of it went from 1 to 0, and n0's, which did not change, would find n4's
// UNKNOWN is 1, exactly. It is a cell of its own, so the last state is released (it was refused
// as unpublishable) and nobody narrows a hidden count.
func TestABucketThatKeepsItsValueWithOtherParts(t *testing.T) {
	withDimensions(t, []Dimension{{Field: "by_form", Buckets: []string{"PHYSICAL", Unknown}}})
	y := YearPeriod(2024)
	mk := func(network string, revision, victims, physical int64) *Report {
		c, err := NewCounts(Submission{Victims: victims, Breakdowns: [][]BucketCount{{{"PHYSICAL", physical}}}})
		if err != nil {
			t.Fatal(err)
		}
		return &Report{Network: network, Period: y, Revision: revision, Counts: c}
	}
	s1 := []*Report{mk("n0", 1, 8, 7), mk("n1", 1, 4, 0)}
	s2 := []*Report{s1[0], mk("n1", 2, 9, 8)}
	s3 := append(append([]*Report(nil), s2...), mk("n4", 1, 3, 2))
	s4 := []*Report{s1[0], s3[2], mk("n1", 3, 0, 0)}
	states := [][]*Report{s1, s2, s3, s4}
	log := memoryReleases{}
	for _, s := range states {
		publish(t, s, DefaultThreshold, log)
	}
	if n := len(log[2024]); n != len(states) {
		t.Errorf("2024 has %d releases; want %d, one per state", n, len(states))
	}
	for _, respondent := range []string{"", "n0", "n1", "n4"} {
		if e := attackReleases(t, states, 2024, DefaultThreshold, respondent); len(e) > 0 {
			t.Errorf("attacker %q bounds %d hidden counts too tightly across the releases, e.g. %v", respondent, len(e), e[0])
		}
	}
}

// releaseTwo publishes before, then after, as an admin does, and returns release 2's pattern
// (it fails when release 2 cannot be made).
func releaseTwo(t *testing.T, year int, before, after []*Report) map[cellKey]bool {
	t.Helper()
	log := memoryReleases{}
	publish(t, before, DefaultThreshold, log)
	publish(t, after, DefaultThreshold, log)
	if n := len(log[year]); n != 2 {
		t.Fatalf("%d has %d releases; want 2", year, n)
	}
	h, err := patternOf(log[year][1].Hidden)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestACorrectionOfTheOnlyNetworkIsPublished is issue 10's defect: clunisois, the only network
// of 2025, reports 40 victims (every bucket unknown), release 1 publishes the département's 40
// and its buckets; it corrects to 62 and release 2 must publish the 62 and the buckets too: they
// are clunisois's own, which any single state publishes as the département's margins, and the
// difference with release 1 tells nothing more.
func TestACorrectionOfTheOnlyNetworkIsPublished(t *testing.T) {
	withDimensions(t, []Dimension{{Field: "by_form", Buckets: []string{"PHYSICAL", Unknown}}})
	y := YearPeriod(2025)
	mk := func(revision, victims int64) *Report {
		c, err := NewCounts(Submission{Victims: victims})
		if err != nil {
			t.Fatal(err)
		}
		return &Report{Network: "clunisois", Period: y, Revision: revision, Counts: c}
	}
	before, after := []*Report{mk(1, 40)}, []*Report{mk(2, 62)}
	h := releaseTwo(t, 2025, before, after)
	for _, k := range []cellKey{{kind: victimsCell, period: y}, {kind: victimsCell, network: "clunisois", period: y}} {
		if h[k] {
			t.Errorf("release 2 hides %s; want it published", k.cellName())
		}
	}
	for d, dim := range Dimensions {
		for b := range dim.Buckets {
			if k := (cellKey{kind: bucketCell, dim: d, bucket: b, period: y}); h[k] {
				t.Errorf("release 2 hides the département's %s %s; want it published", dim.Field, dim.Buckets[b])
			}
		}
	}
	for _, respondent := range []string{"", "clunisois"} {
		if e := attackReleases(t, [][]*Report{before, after}, 2025, DefaultThreshold, respondent); len(e) > 0 {
			t.Errorf("attacker %q bounds %d hidden counts too tightly across the two releases, e.g. %v", respondent, len(e), e[0])
		}
	}
}

// TestACorrectionAmongThirteenNetworksIsPublished: thirteen networks report their year (their
// victims split between PHYSICAL and UNKNOWN); one corrects its year. Release 2 must publish
// the département's victims and its buckets' new values, which narrow no network's bucket, and
// the attacker of both releases, public or coordinator, bounds no hidden count too tightly.
func TestACorrectionAmongThirteenNetworksIsPublished(t *testing.T) {
	withDimensions(t, []Dimension{{Field: "by_form", Buckets: []string{"PHYSICAL", Unknown}}})
	y := YearPeriod(2024)
	mk := func(network string, revision, victims, physical int64) *Report {
		c, err := NewCounts(Submission{Victims: victims, Breakdowns: [][]BucketCount{{{"PHYSICAL", physical}}}})
		if err != nil {
			t.Fatal(err)
		}
		return &Report{Network: network, Period: y, Revision: revision, Counts: c}
	}
	var before []*Report
	for n := range 13 {
		before = append(before, mk(fmt.Sprintf("n%02d", n), 1, int64(20+3*n), int64(10+n)))
	}
	after := append([]*Report{mk("n05", 2, 57, 22)}, before[:5]...)
	after = append(after, before[6:]...)
	h := releaseTwo(t, 2024, before, after)
	for _, k := range []cellKey{{kind: victimsCell, period: y}, {kind: victimsCell, network: "n05", period: y},
		{kind: bucketCell, period: y}, {kind: bucketCell, bucket: 1, period: y}} {
		if h[k] {
			t.Errorf("release 2 hides %s; want it published", k.cellName())
		}
	}
	for _, respondent := range []string{"", "n00", "n05", "n12"} {
		if e := attackReleases(t, [][]*Report{before, after}, 2024, DefaultThreshold, respondent); len(e) > 0 {
			t.Errorf("attacker %q bounds %d hidden counts too tightly across the two releases, e.g. %v", respondent, len(e), e[0])
		}
	}
}

// TestACorrectionThatMovesAVictimIsReleased: thirteen networks report their year, or each of
// their months (their victims split between PHYSICAL and UNKNOWN); a victim counted by n03 was
// n07's, and both correct their report of the year or of March, so the département's figures
// keep their values while two networks' parts of them moved. The Département must be able to
// publish that state (it was refused as unpublishable), and the attacker of both releases,
// public or coordinator, bounds no hidden count too tightly.
func TestACorrectionThatMovesAVictimIsReleased(t *testing.T) {
	withDimensions(t, []Dimension{{Field: "by_form", Buckets: []string{"PHYSICAL", Unknown}}})
	for _, p := range []Period{YearPeriod(2024), MonthPeriod(2024, 3)} {
		t.Run(p.String(), func(t *testing.T) {
			mk := func(network string, revision, victims, physical int64) *Report {
				c, err := NewCounts(Submission{Victims: victims, Breakdowns: [][]BucketCount{{{"PHYSICAL", physical}}}})
				if err != nil {
					t.Fatal(err)
				}
				return &Report{Network: network, Period: p, Revision: revision, Counts: c}
			}
			var before []*Report
			for n := range 13 {
				before = append(before, mk(fmt.Sprintf("n%02d", n), 1, int64(20+3*n), int64(10+n)))
			}
			after := append([]*Report(nil), before...)
			after[3] = mk("n03", 2, 20+3*3+1, 10+3+1)
			after[7] = mk("n07", 2, 20+3*7-1, 10+7-1)
			releaseTwo(t, 2024, before, after)
			for _, respondent := range []string{"", "n00", "n03", "n07"} {
				if e := attackReleases(t, [][]*Report{before, after}, 2024, DefaultThreshold, respondent); len(e) > 0 {
					t.Errorf("attacker %q bounds %d hidden counts too tightly across the two releases, e.g. %v", respondent, len(e), e[0])
				}
			}
		})
	}
}

// TestAYearPublishedMonthByMonthKeepsItsTotals: thirteen networks send their months and the
// Département publishes after each month, as BenchmarkPublishEachMonth does. Each release shows
// the département's figures, victims and children of every period and the year's breakdowns,
// and each network's figures of the year once the year is complete, as one release of the same
// reports does: protecting the networks' small counts across releases hides network figures,
// not the totals above them (release 12 hid the département's victims of the year, and every
// network's, when Widen was left to hide a total for want of room). That no hidden count is
// narrowed across releases is the properties' to show (an attack of these twelve releases takes
// longer than the whole suite).
func TestAYearPublishedMonthByMonthKeepsItsTotals(t *testing.T) {
	all := yearOfNetworks(t, 13, 2022)
	log := memoryReleases{}
	for m := 1; m <= 12; m++ {
		var rs []*Report
		for _, r := range all {
			if r.Period.FirstMonth() <= m {
				rs = append(rs, r)
			}
		}
		publish(t, rs, DefaultThreshold, log)
		rel := log[2022][len(log[2022])-1]
		if rel.Number != m {
			t.Fatalf("after month %d: release %d; want %d", m, rel.Number, m)
		}
		h, err := patternOf(rel.Hidden)
		if err != nil {
			t.Fatal(err)
		}
		for k := range h {
			if k.kind != bucketCell && (k.network == "" || k.period.Granularity() == Year) {
				t.Errorf("release %d hides %s", m, k.cellName())
			}
			if k.kind == bucketCell && k.network == "" && k.period.Granularity() == Year {
				t.Errorf("release %d hides the département's yearly %s", m, k.cellName())
			}
		}
	}
}

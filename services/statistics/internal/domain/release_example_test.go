package domain

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"
)

// Fixed sequences of releases: the examples and the counterexamples the properties drew.

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

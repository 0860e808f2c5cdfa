package domain

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

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

package domain

import (
	"testing"
)

// threeNetworks reports a year for three networks: two large, one with a small count.
func threeNetworks() []*Report {
	return []*Report{
		report("a", "2023", 120), report("b", "2023", 80), report("c", "2023", 3),
		report("a", "2022", 100), report("b", "2022", 70), report("c", "2022", 10),
	}
}

func TestPublicSeesSmallCountsHiddenWithAComplement(t *testing.T) {
	p := NewPublisher(threeNetworks(), []Network{{"a", 50_000}, {"b", 40_000}, {"c", 10_000}, {"d", 5_000}}, DefaultThreshold, Actor{})
	s, err := p.Series("", Year, []Period{YearPeriod(2023)})
	if err != nil {
		t.Fatal(err)
	}
	pf := s.Periods[0]
	byNet := map[string]NetworkCounts{}
	for _, nc := range pf.ByNetwork {
		byNet[nc.Network] = nc
	}
	if c := byNet["c"].Victims; !c.Hidden || c.Value != 0 {
		t.Errorf("network c's 3 victims = %+v; want hidden, with no value", c)
	}
	if !byNet["a"].Victims.Hidden && !byNet["b"].Victims.Hidden && !pf.Counts.Victims.Hidden {
		t.Errorf("only c is hidden: 203 - 120 - 80 gives it back: %+v", pf)
	}
	if d := byNet["d"].Victims; d.Present {
		t.Errorf("network d reported nothing but shows %+v", d)
	}
	if s.Raw || pf.ReportingNetworks != 3 || pf.Population != 100_000 {
		t.Errorf("series raw=%v reporting=%d population=%d; want protected, 3, 100000", s.Raw, pf.ReportingNetworks, pf.Population)
	}
}

func TestAdminSeesRawAndCoordinatorItsOwnNetwork(t *testing.T) {
	admin := NewPublisher(threeNetworks(), nil, DefaultThreshold, Actor{Admin: true})
	s, err := admin.Series("", Year, []Period{YearPeriod(2023)})
	if err != nil || !s.Raw || s.Periods[0].Counts.Victims.Value != 203 {
		t.Fatalf("admin's département 2023 = %+v, %v; want raw 203", s, err)
	}
	if ch := s.Periods[0].VictimsChange; !ch.Present || ch.Value != 12.78 {
		t.Errorf("admin's change 2022→2023 = %+v; want 12.78 %% (203 against 180)", ch)
	}
	coord := NewPublisher(threeNetworks(), nil, DefaultThreshold, Actor{Network: "c"})
	own, err := coord.Series("c", Year, []Period{YearPeriod(2023)})
	if err != nil || !own.Raw || own.Periods[0].Counts.Victims.Value != 3 {
		t.Fatalf("coordinator of c sees its 2023 as %+v, %v; want raw 3", own, err)
	}
	other, err := coord.Series("a", Year, []Period{YearPeriod(2023)})
	if err != nil || other.Raw {
		t.Fatalf("coordinator of c sees network a as %+v, %v; want protected", other, err)
	}
}

func TestRatesAndChangesOfAHiddenCountAreHidden(t *testing.T) {
	p := NewPublisher(threeNetworks(), []Network{{"c", 10_000}}, DefaultThreshold, Actor{})
	s, err := p.Series("c", Year, []Period{YearPeriod(2023)})
	if err != nil {
		t.Fatal(err)
	}
	pf := s.Periods[0]
	if !pf.Counts.Victims.Hidden || !pf.VictimsPerThousand.Hidden || pf.VictimsPerThousand.Value != 0 || !pf.VictimsChange.Hidden {
		t.Errorf("c 2023 = %+v; want the count, its rate and its change hidden", pf)
	}
	// Every victim of the test data is in the UNKNOWN buckets: the département's other buckets
	// are 0, so c's are 0 too, which anyone can tell; its UNKNOWN buckets are its hidden total.
	for d := range pf.Counts.Breakdowns {
		for b, c := range pf.Counts.Breakdowns[d] {
			unknown := Dimensions[d].Buckets[b] == Unknown
			if c.Hidden != unknown || c.Value != 0 {
				t.Errorf("c's bucket %s of %s = %+v; want hidden: %v, no value", Dimensions[d].Buckets[b], Dimensions[d].Field, c, unknown)
			}
		}
	}
}

func TestViewReportHidesEarlierRevisionsAndSupersededReports(t *testing.T) {
	rs := []*Report{report("a", "2023", 120)}
	for q := 1; q <= 4; q++ {
		rs = append(rs, report("a", QuarterPeriod(2023, q).String(), 30))
	}
	p := NewPublisher(rs, nil, DefaultThreshold, Actor{})
	year, err := p.ViewReport(rs[0], true)
	if err != nil || !year.Superseded || !year.Counts.Victims.Hidden {
		t.Errorf("superseded 2023 report = %+v, %v; want superseded and hidden", year, err)
	}
	q1, err := p.ViewReport(rs[1], true)
	if err != nil || q1.Superseded || q1.Counts.Victims.Value != 30 {
		t.Errorf("2023-Q1 report = %+v, %v; want 30 published", q1, err)
	}
	old, err := p.ViewReport(rs[1], false)
	if err != nil || !old.Counts.Victims.Hidden {
		t.Errorf("an earlier revision = %+v, %v; want hidden", old, err)
	}
}

// TestABucketThePublishedFiguresGiveIsPublished: networks that report no breakdown have every
// victim in the UNKNOWN buckets; the département's other buckets are 0, so each network's are
// published as 0, and its UNKNOWN is its published victims less those 0s. Hiding it would
// pretend to protect what every reader computes.
func TestABucketThePublishedFiguresGiveIsPublished(t *testing.T) {
	y := YearPeriod(2024)
	rs := []*Report{monthReport(t, "a", y, 30, 10), monthReport(t, "b", y, 25, 10), monthReport(t, "c", y, 19, 5)}
	p := NewPublisher(rs, nil, DefaultThreshold, Actor{})
	checked := 0
	for _, n := range []string{"a", "b", "c"} {
		got, err := p.Figures(n, y, Year)
		if err != nil {
			t.Fatal(err)
		}
		if got.Victims.Hidden {
			continue // nothing to derive from
		}
		checked++
		for d, dim := range Dimensions {
			last := len(dim.Buckets) - 1
			for b, c := range got.Breakdowns[d] {
				want := Count{Present: true}
				if b == last {
					want.Value = got.Victims.Value
				}
				if c != want {
					t.Errorf("%s 2024 %s %s = %+v; want %+v", n, dim.Field, dim.Buckets[b], c, want)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("every network's victims are hidden: the case tests nothing")
	}
}

package domain

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/vif71/vif/services/statistics/attack"
)

// The stronger attacks: a reader who bounds each hidden count by linear programming over every
// answer (the attacker's model of protection_property_test.go, non-negativity included, bounds
// rounded to integers), alone or as a respondent who also knows their own network's raw
// figures. No hidden count of someone else may be left in a range narrower than the protection
// level, nor inside 1..threshold-1.

// fatalf is what the attacker's helpers need of *testing.T and *rapid.T.
type fatalf interface {
	Fatalf(format string, args ...any)
}

// exposure is a hidden cell an attacker bounds too tightly.
type exposure struct {
	key      cellKey
	value    int64 // of the part the attacker does not know
	interval attack.Interval
}

func (e exposure) String() string {
	return fmt.Sprintf("%v %q d%d b%d %s = %d in %v", e.key.kind, e.key.network, e.key.dim, e.key.bucket, e.key.period, e.value, e.interval)
}

// exposures runs the attacker on what o saw. For a respondent (o.own set), their network's cells
// are known, and a département cell is judged by the part that is not theirs.
func (o *oracle) exposures(t fatalf, threshold, level int64) []exposure {
	n := len(o.b.keys)
	known := make([]bool, n)
	want := make([]bool, n)
	offset := make([]int64, n)
	for i, k := range o.b.keys {
		_, pub := o.known[i]
		known[i] = pub || (o.own != "" && k.network == o.own)
		if o.own != "" && k.network == "" {
			own := k
			own.network = o.own
			if j, ok := o.b.index[own]; ok {
				offset[i] = o.b.t.Cells[j]
			}
		}
		// A network's buckets and the département's finer ones are withheld by rule, not by
		// disclosure control: bounding one tells nothing unless it is a small count.
		v := o.b.t.Cells[i] - offset[i]
		policy := k.kind == bucketCell && (k.network != "" || k.period.Granularity() != Year)
		want[i] = !known[i] && v >= 1 && (!policy || v < threshold)
	}
	ivs, err := attack.IntervalsOf(o.b.t, known, want)
	if err != nil {
		t.Fatalf("attack: %v", err)
	}
	var out []exposure
	for i := range o.b.keys {
		if !want[i] {
			continue
		}
		iv := ivs[i]
		if !iv.Unbounded {
			iv.Hi -= offset[i]
		}
		iv.Lo -= offset[i]
		if iv.Width() < level || (iv.Lo >= 1 && !iv.Unbounded && iv.Hi <= threshold-1) {
			out = append(out, exposure{o.b.keys[i], o.b.t.Cells[i] - offset[i], iv})
		}
	}
	return out
}

// attackYear builds the attacker's model of a year, lets it read every answer given to the public
// and, when respondent is set, every answer given to that network's coordinator, and returns the
// cells it bounds too tightly.
func attackYear(t fatalf, rs []*Report, year int, threshold int64, respondent string) []exposure {
	byNetwork := map[string][]*Report{}
	for _, r := range rs {
		byNetwork[r.Network] = append(byNetwork[r.Network], r)
	}
	figs := map[string]Figures{}
	for id, nrs := range byNetwork {
		figs[id] = RollUp(nrs)
	}
	o, _ := buildOracle(figs, year)
	o.own = respondent
	o.observe(t, NewPublisher(rs, nil, threshold, Actor{}), rs, year)
	if respondent != "" {
		o.observe(t, NewPublisher(rs, nil, threshold, Actor{Network: respondent}), rs, year)
	}
	return o.exposures(t, threshold, threshold)
}

func TestNoHiddenCountIsNarrowedByTheIntervalAttack(t *testing.T) {
	withPropertyChecks(t)
	withDimensions(t, []Dimension{{Field: "by_form", Buckets: []string{"PHYSICAL", Unknown}}})
	rapid.Check(t, func(t *rapid.T) {
		rs := drawReports(t, 2024)
		if e := attackYear(t, rs, 2024, DefaultThreshold, ""); len(e) > 0 {
			t.Fatalf("%d hidden counts are bounded too tightly by a public reader, e.g. %v", len(e), e[0])
		}
	})
}

func TestNoHiddenCountIsNarrowedByARespondent(t *testing.T) {
	withPropertyChecks(t)
	withDimensions(t, []Dimension{{Field: "by_form", Buckets: []string{"PHYSICAL", Unknown}}})
	rapid.Check(t, func(t *rapid.T) {
		rs := drawReports(t, 2024)
		for _, id := range networksOf(rs) {
			if e := attackYear(t, rs, 2024, DefaultThreshold, id); len(e) > 0 {
				t.Fatalf("%d hidden counts are bounded too tightly by the coordinator of %s, e.g. %v", len(e), id, e[0])
			}
		}
	})
}

func networksOf(rs []*Report) []string {
	seen := map[string]bool{}
	for _, r := range rs {
		seen[r.Network] = true
	}
	return networkIDs(seen)
}

func monthReport(t *testing.T, network string, p Period, victims, children int64) *Report {
	t.Helper()
	c, err := NewCounts(Submission{Victims: victims, Children: children})
	if err != nil {
		t.Fatal(err)
	}
	return &Report{Network: network, Period: p, Revision: 1, Counts: c}
}

// TestCoordinatorCannotSubtractTheirOwnCount is the respondent example: networks of 3,
// 40 and 2 victims in a month; the coordinator of the first reads the total and the 40 and,
// knowing their own 3, would recover the 2.
func TestCoordinatorCannotSubtractTheirOwnCount(t *testing.T) {
	m := MonthPeriod(2024, 3)
	rs := []*Report{monthReport(t, "a", m, 3, 1), monthReport(t, "b", m, 40, 20), monthReport(t, "c", m, 2, 1)}
	for _, respondent := range []string{"", "a", "b", "c"} {
		if e := attackYear(t, rs, 2024, DefaultThreshold, respondent); len(e) > 0 {
			t.Errorf("attacker %q bounds %d hidden counts too tightly, e.g. %v", respondent, len(e), e[0])
		}
	}
}

// TestTwoSmallBandsDoNotShieldEachOther is the first example: published age bands that
// sum to the total less 2 leave the two hidden bands in [0, 2].
func TestTwoSmallBandsDoNotShieldEachOther(t *testing.T) {
	sub := Submission{Victims: 1134, Children: 600, Breakdowns: [][]BucketCount{nil, nil, {
		{"UNDER_18", 1}, {"18_TO_24", 150}, {"25_TO_34", 300}, {"35_TO_44", 300}, {"45_TO_54", 200},
		{"55_TO_64", 182}, {"65_AND_OVER", 1}}}}
	var rs []*Report
	for i, v := range []int64{700, 434} {
		s := sub
		s.Victims, s.Children = v, v/2
		bands := append([]BucketCount(nil), sub.Breakdowns[2]...)
		for k := range bands {
			if i == 1 && bands[k].Count > 1 {
				bands[k].Count = bands[k].Count * 434 / 1134
			} else if i == 0 && bands[k].Count > 1 {
				bands[k].Count = bands[k].Count * 700 / 1134
			} else if i == 1 {
				bands[k].Count = 0
			}
		}
		s.Breakdowns = [][]BucketCount{nil, nil, bands}
		c, err := NewCounts(s)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, &Report{Network: fmt.Sprint("n", i), Period: YearPeriod(2022), Revision: 1, Counts: c})
	}
	for _, respondent := range []string{"", "n0", "n1"} {
		if e := attackYear(t, rs, 2022, DefaultThreshold, respondent); len(e) > 0 {
			t.Errorf("attacker %q bounds %d hidden counts too tightly, e.g. %v", respondent, len(e), e[0])
		}
	}
}

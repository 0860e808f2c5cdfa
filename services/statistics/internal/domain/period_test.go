package domain

import (
	"slices"
	"testing"
	"time"
)

func TestParsePeriodRoundTrips(t *testing.T) {
	for _, s := range []string{"2022", "2022-Q1", "2022-Q4", "2022-01", "2022-12", "2000", "9999-Q2"} {
		p, err := ParsePeriod(s)
		if err != nil {
			t.Errorf("ParsePeriod(%q) = %v; want a period", s, err)
			continue
		}
		if p.String() != s {
			t.Errorf("ParsePeriod(%q).String() = %q; want %q", s, p.String(), s)
		}
	}
}

func TestParsePeriodRejectsMalformed(t *testing.T) {
	for _, s := range []string{"", "22", "1999", "2022-", "2022-Q0", "2022-Q5", "2022-00", "2022-13", "2022-1", "2022-001", "+202", "2022Q1", "2022-W1", "abcd"} {
		if p, err := ParsePeriod(s); err == nil {
			t.Errorf("ParsePeriod(%q) = %v; want an error", s, p)
		}
	}
}

func TestPeriodChildrenAndMonths(t *testing.T) {
	y := YearPeriod(2023)
	if got := strs(y.Children()); !slices.Equal(got, []string{"2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"}) {
		t.Errorf("2023 children = %v", got)
	}
	if got := strs(QuarterPeriod(2023, 3).Children()); !slices.Equal(got, []string{"2023-07", "2023-08", "2023-09"}) {
		t.Errorf("2023-Q3 children = %v", got)
	}
	if c := MonthPeriod(2023, 5).Children(); c != nil {
		t.Errorf("2023-05 children = %v; want none", c)
	}
	if got := len(y.Expand(Month)); got != 12 {
		t.Errorf("2023 expands to %d months; want 12", got)
	}
	if y.YearBefore() != YearPeriod(2022) || QuarterPeriod(2023, 2).YearBefore() != QuarterPeriod(2022, 2) {
		t.Error("YearBefore does not keep the period's place in its year")
	}
}

func TestPeriodBegun(t *testing.T) {
	now := time.Date(2024, 3, 15, 10, 0, 0, 0, time.UTC)
	for s, want := range map[string]bool{"2024": true, "2024-Q1": true, "2024-03": true, "2024-04": false, "2024-Q2": false, "2025": false, "2023-12": true} {
		p, _ := ParsePeriod(s)
		if got := p.Begun(now); got != want {
			t.Errorf("%s.Begun(2024-03-15) = %v; want %v", s, got, want)
		}
	}
}

func TestPeriodsBetween(t *testing.T) {
	tests := []struct {
		start, end string
		g          Granularity
		want       []string
	}{
		{"2021", "2023", Year, []string{"2021", "2022", "2023"}},
		{"2022-Q4", "2023-Q1", Quarter, []string{"2022-Q4", "2023-Q1"}},
		{"2022", "2022-Q2", Quarter, []string{"2022-Q1", "2022-Q2"}},
		{"2022-11", "2023", Month, []string{"2022-11", "2022-12", "2023-01", "2023-02", "2023-03", "2023-04", "2023-05", "2023-06", "2023-07", "2023-08", "2023-09", "2023-10", "2023-11", "2023-12"}},
	}
	for _, tt := range tests {
		s, _ := ParsePeriod(tt.start)
		e, _ := ParsePeriod(tt.end)
		got, err := PeriodsBetween(s, e, tt.g)
		if err != nil || !slices.Equal(strs(got), tt.want) {
			t.Errorf("PeriodsBetween(%s, %s, %d) = %v, %v; want %v", tt.start, tt.end, tt.g, strs(got), err, tt.want)
		}
	}
	for _, bad := range [][2]string{{"2023", "2022"}, {"2022-03", "2022"}, {"2000", "2031"}} {
		s, _ := ParsePeriod(bad[0])
		e, _ := ParsePeriod(bad[1])
		if got, err := PeriodsBetween(s, e, Year); err == nil {
			t.Errorf("PeriodsBetween(%s, %s, Year) = %v; want an error", bad[0], bad[1], strs(got))
		}
	}
}

func strs(ps []Period) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

package domain

import "testing"

func counts(victims int64) Counts {
	c, err := NewCounts(Submission{Victims: victims, Children: victims / 2})
	if err != nil {
		panic(err)
	}
	return c
}

func report(network, period string, victims int64) *Report {
	p, err := ParsePeriod(period)
	if err != nil {
		panic(err)
	}
	return &Report{Network: network, Period: p, Revision: 1, Counts: counts(victims)}
}

func TestRollUpPrefersTheFinestCompleteReports(t *testing.T) {
	var rs []*Report
	for m := 1; m <= 12; m++ {
		rs = append(rs, report("n", MonthPeriod(2023, m).String(), int64(m)))
	}
	rs = append(rs, report("n", "2023", 1000), report("n", "2023-Q1", 500))
	figs := RollUp(rs)
	if f := figs[YearPeriod(2023)]; !f.Derived || f.Counts.Victims != 78 {
		t.Errorf("2023 = %+v; want the sum of its twelve months, 78", f)
	}
	if f := figs[QuarterPeriod(2023, 1)]; !f.Derived || f.Counts.Victims != 6 {
		t.Errorf("2023-Q1 = %+v; want the sum of its months, 6, not its own report", f)
	}
	if !figs.Superseded(YearPeriod(2023)) || figs.Superseded(MonthPeriod(2023, 1)) {
		t.Error("Superseded disagrees with the roll-up")
	}
}

func TestRollUpFillsInWithCoarserReports(t *testing.T) {
	rs := []*Report{
		report("n", "2023-01", 4), report("n", "2023-02", 5), // Q1 incomplete: its own report counts
		report("n", "2023-Q1", 20), report("n", "2023-Q2", 21), report("n", "2023-Q3", 22), // Q4 missing
		report("n", "2023", 100),
	}
	figs := RollUp(rs)
	if f := figs[QuarterPeriod(2023, 1)]; f.Derived || f.Counts.Victims != 20 {
		t.Errorf("2023-Q1 = %+v; want its own report, 20", f)
	}
	if f := figs[YearPeriod(2023)]; f.Derived || f.Counts.Victims != 100 {
		t.Errorf("2023 = %+v; want its own report, 100 (Q4 is missing)", f)
	}
	if _, ok := figs[QuarterPeriod(2023, 4)]; ok {
		t.Error("2023-Q4 has a figure; want none")
	}
	if f := figs[MonthPeriod(2023, 2)]; f.Counts.Victims != 5 {
		t.Errorf("2023-02 = %+v; want its report, 5", f)
	}
}

func TestRollUpWithoutAnnualReport(t *testing.T) {
	figs := RollUp([]*Report{report("n", "2024-Q1", 1), report("n", "2024-Q2", 2)})
	if _, ok := figs[YearPeriod(2024)]; ok {
		t.Error("2024 has a figure from two quarters; want none")
	}
}

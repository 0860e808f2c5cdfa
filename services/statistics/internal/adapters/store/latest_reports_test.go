package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/vif71/vif/services/statistics/internal/domain"
)

var latestReportsCases = []contractCase{
	{"LatestReports gives each report's latest revision, by network, then period start, then longest first", latestReportsOrderAndFilters},
	{"LatestReports follows each new revision", latestReportsFollowRevisions},
}

func latestReportsOrderAndFilters(t *testing.T, f *fixture) {
	ctx := context.Background()
	y, q, m := domain.YearPeriod, domain.QuarterPeriod, domain.MonthPeriod
	// Submitted out of order, so that the order can only come from the query. "a-b" sorts before
	// "aa" by bytes, as the store promises on both engines, though not in most locales.
	submissions := []struct {
		network   string
		p         domain.Period
		revisions int
	}{
		{"bressan", m(2022, 4), 1},
		{"bressan", y(2022), 2},
		{"aa", q(2022, 3), 2},
		{"bressan", m(2022, 1), 3},
		{"bressan", y(2024), 1},
		{"bressan", q(2022, 2), 1},
		{"a-b", q(2023, 4), 1},
		{"bressan", m(2023, 1), 1},
		{"bressan", m(2022, 2), 1},
		{"bressan", y(2019), 2},
		{"bressan", q(2022, 1), 1},
		{"aa", y(2021), 1},
		{"bressan", m(2021, 12), 1},
		{"bressan", m(2022, 3), 1},
	}
	latest := make(map[string]*domain.Report)
	for i, s := range submissions {
		revs := f.submitN(t, s.network, s.p, int64(10*i), s.revisions)
		latest[s.network+"/"+s.p.String()] = revs[len(revs)-1]
	}
	reports := func(keys ...string) []*domain.Report {
		out := []*domain.Report{}
		for _, k := range keys {
			out = append(out, latest[k])
		}
		return out
	}
	bressan2022 := []string{"bressan/2022", "bressan/2022-Q1", "bressan/2022-01", "bressan/2022-02", "bressan/2022-03", "bressan/2022-Q2", "bressan/2022-04"}
	tests := []struct {
		network  string
		from, to int
		want     []*domain.Report
	}{
		{"", 2021, 2023, reports(slices.Concat(
			[]string{"a-b/2023-Q4", "aa/2021", "aa/2022-Q3", "bressan/2021-12"}, bressan2022, []string{"bressan/2023-01"})...)},
		{"bressan", 2022, 2022, reports(bressan2022...)},
		{"aa", 2000, 2100, reports("aa/2021", "aa/2022-Q3")},
		{"", 2024, 2024, reports("bressan/2024")},
		{"", 2019, 2019, reports("bressan/2019")},
		{"", 2025, 2030, nil},
		{"", 2023, 2021, nil},
		{"unknown", 2000, 2100, nil},
		{"a", 2000, 2100, nil},
	}
	for _, tt := range tests {
		got, err := f.repo.LatestReports(ctx, tt.network, tt.from, tt.to)
		if err != nil || !sameReports(got, tt.want) {
			t.Errorf("LatestReports(%q, %d, %d) = %q, %v; want %q", tt.network, tt.from, tt.to, revisionKeys(got), err, revisionKeys(tt.want))
		}
	}
}

func latestReportsFollowRevisions(t *testing.T, f *fixture) {
	ctx := context.Background()
	periods := []domain.Period{domain.YearPeriod(2024), domain.QuarterPeriod(2024, 1), domain.MonthPeriod(2024, 1)}
	for revision := 1; revision <= 3; revision++ {
		var want []*domain.Report
		for i, p := range periods {
			want = append(want, f.submit(t, f.report("chalonnais", p, int64(10*revision+i)), ""))
		}
		got, err := f.repo.LatestReports(ctx, "", 2024, 2024)
		if err != nil || !sameReports(got, want) {
			t.Errorf("LatestReports(all, 2024, 2024) after revision %d = %q, %v; want %q", revision, revisionKeys(got), err, revisionKeys(want))
		}
		for _, r := range want {
			if r.Revision != int64(revision) {
				t.Errorf("SubmitReport(%q) revision = %d; want %d", r.Name(), r.Revision, revision)
			}
		}
	}
	if n := f.count(t, "reports", "latest"); n != len(periods) {
		t.Errorf("rows marked latest = %d; want %d, one per report", n, len(periods))
	}
	if n := f.count(t, "reports", ""); n != 3*len(periods) {
		t.Errorf("report rows = %d; want %d", n, 3*len(periods))
	}
}

// networkName is the i-th network of the concurrency cases and the benchmark.
func networkName(i int) string { return fmt.Sprintf("network-%03d", i) }

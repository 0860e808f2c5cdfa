package domain

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// yearOfNetworks is one year of monthly reports from n networks, drawn as
// BenchmarkDepartementYearlySummary (app) draws them.
func yearOfNetworks(tb testing.TB, n, year int) []*Report {
	tb.Helper()
	r := rand.New(rand.NewPCG(71, uint64(year)))
	var out []*Report
	for i := range n {
		for m := 1; m <= 12; m++ {
			victims := r.Int64N(12)
			c, err := NewCounts(Submission{Victims: victims, Children: victims / 2,
				Breakdowns: [][]BucketCount{{{Bucket: "PHYSICAL", Count: victims / 2}}, {{Bucket: "FEMALE", Count: victims - victims/5}}}})
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, &Report{Network: fmt.Sprintf("network-%03d", i), Period: MonthPeriod(year, m), Revision: 1, Counts: c})
		}
	}
	return out
}

// BenchmarkFirstRelease measures NextRelease for a year's first release (protected down to the
// months) of n networks' monthly reports: each of BenchmarkDepartementYearlySummary's (app) ten
// publications at 100 networks. On two shared cores (session 23, CPU time, before → after a
// carried shift is extended once for all its attackers): 13 networks 0.2 → 0.13 s, 40 networks
// about 3 → 1.8 s, 100 networks 56–58 → 25–27 s (wall 19–28 s at load 4 to 5, 68–88 s at load
// 8; before, 127–177 s); see docs/performance.md. Run one size with -bench 'FirstRelease/networks=13$'.
func BenchmarkFirstRelease(b *testing.B) {
	for _, n := range []int{13, 40, 100} {
		b.Run(fmt.Sprintf("networks=%d", n), func(b *testing.B) {
			reports := yearOfNetworks(b, n, 2022)
			for b.Loop() {
				p := NewPublisher(reports, nil, DefaultThreshold, Actor{Admin: true})
				if _, err := p.NextRelease(context.Background(), 2022, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package app_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/vif71/vif/platform/storage/storagetest"
	"github.com/vif71/vif/services/statistics/internal/adapters/grpcapi"
	"github.com/vif71/vif/services/statistics/internal/adapters/store"
	"github.com/vif71/vif/services/statistics/internal/app"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// manyNetworks stands for a directory of n networks: the real one has 13.
type manyNetworks []domain.Network

func (m manyNetworks) Networks(context.Context) ([]domain.Network, error) { return m, nil }

// BenchmarkDepartementYearlySummary measures the département-wide yearly series over ten years
// of monthly reports from 100 networks (12,000 reports), as the public sees it (protected) and
// as an admin does (raw), on each engine storagetest offers. Each answer reads the reports,
// rolls the months up to years and, for the public, protects each year.
func BenchmarkDepartementYearlySummary(b *testing.B) {
	for _, d := range storagetest.Databases(b) {
		b.Run(d.Name, func(b *testing.B) {
			ctx := context.Background()
			st, err := store.Open(ctx, d.DB, grpcapi.EncodeEvent, nil)
			if err != nil {
				b.Fatal(err)
			}
			networks := make(manyNetworks, 100)
			for i := range networks {
				networks[i] = domain.Network{ID: fmt.Sprintf("network-%03d", i), Population: 5_000 + int64(i)*100}
			}
			ids := 0
			svc := app.New(st, networks, func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) },
				func() string { ids++; return fmt.Sprint(ids) }, 0)
			r := rand.New(rand.NewPCG(71, 2022))
			start := time.Now()
			for _, n := range networks {
				for y := 2014; y <= 2023; y++ {
					for m := 1; m <= 12; m++ {
						victims := r.Int64N(12)
						sub := domain.Submission{Victims: victims, Children: victims / 2,
							Breakdowns: [][]domain.BucketCount{{{Bucket: "PHYSICAL", Count: victims / 2}}, {{Bucket: "FEMALE", Count: victims - victims/5}}}}
						if _, err := svc.SubmitReport(ctx, domain.Actor{Admin: true}, n.ID, domain.MonthPeriod(y, m).String(), sub); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			b.Logf("%s: 12,000 monthly reports written in %v", d.Name, time.Since(start).Round(time.Millisecond))
			for _, v := range []struct {
				name  string
				actor domain.Actor
			}{{"protected", domain.Actor{}}, {"raw", domain.Actor{Admin: true}}} {
				b.Run(v.name, func(b *testing.B) {
					for b.Loop() {
						s, err := svc.QuerySeries(ctx, v.actor, "", domain.Year, "2014", "2023")
						if err != nil {
							b.Fatal(err)
						}
						if len(s.Periods) != 10 || !s.Periods[9].Counts.Victims.Present {
							b.Fatalf("series has %d periods; want 10 with figures", len(s.Periods))
						}
					}
				})
			}
		})
	}
}

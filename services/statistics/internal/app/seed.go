package app

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

const seedName = "statistics/reports/v1"

// SeedYears are the département's yearly totals of the default data set: illustrative, chosen so
// that 2022 is above the 1,100 victims the source article gives and the series rises, as it says.
// 2022 and 2023 are reported month by month, earlier years once a year.
var SeedYears = []struct {
	Year    int
	Victims int64
	Monthly bool
}{
	{2017, 690, false}, {2018, 760, false}, {2019, 845, false}, {2020, 930, false},
	{2021, 1015, false}, {2022, 1134, true}, {2023, 1198, true},
}

// SeedNational is the national reference series of the default data set. The article gives only
// the growth, +21 % of victims recorded by the police and the gendarmerie: the base values are
// illustrative, their ratio is the article's.
var SeedNational = []domain.NationalFigure{
	{Year: 2021, Value: 100_000, Illustrative: true, Source: seedNationalSource},
	{Year: 2022, Value: 121_000, Illustrative: true, Source: seedNationalSource},
}

const seedNationalSource = "Article source (Saône-et-Loire, 2023): « au niveau national c'est +21 % enregistré par les " +
	"forces de police et de gendarmerie ». Valeurs de base illustratives, seule la hausse est celle de l'article."

// seedShares split a network's victims among the buckets of each breakdown, in per mille; what
// the floors leave goes to UNKNOWN. Illustrative.
var seedShares = [][]int64{
	{420, 380, 80, 60, 20},           // physical, psychological, sexual, economic, administrative
	{860, 110},                       // female, male
	{40, 120, 270, 260, 170, 80, 40}, // age bands
	{450, 60, 90, 180, 110, 70, 30},  // referral
}

// Seed records the default data set once: illustrative reports for every network of the
// directory, and the national reference figures. It reports whether it wrote anything.
func (s *Service) Seed(ctx context.Context) (bool, error) {
	done, err := s.repo.Seeded(ctx, seedName)
	if err != nil || done {
		return false, err
	}
	networks, err := s.dir.Networks(ctx)
	if err != nil {
		return false, err
	}
	if len(networks) == 0 {
		return false, fmt.Errorf("seed: the directory has no networks: %w", resource.ErrDirectoryUnavailable)
	}
	// The reports in one transaction, then each year published once: the public sees the data
	// set whole or not at all. A report the database has already (a seed interrupted under an
	// earlier version wrote one at a time) is kept.
	reports := seedReports(networks)
	for _, r := range reports {
		r.SubmitTime, r.SubmittedBy, r.Illustrative = s.now(), "seed", true
	}
	if _, err := s.repo.SeedReports(ctx, reports, func(r *domain.Report) []*domain.Event {
		return []*domain.Event{{ID: s.ids(), Type: domain.ReportSubmitted, Time: r.SubmitTime, Report: r}}
	}); err != nil {
		return false, fmt.Errorf("seed the reports: %w", err)
	}
	if err := s.seedReleases(ctx); err != nil {
		return false, err
	}
	for _, f := range SeedNational {
		f.CreateTime = s.now()
		if _, _, err := s.repo.CreateNationalFigure(idempotency.Internal(ctx, "seed", seedName+"/"+f.Name()), &f, []*domain.Event{{
			ID: s.ids(), Type: domain.NationalFigureCreated, Time: f.CreateTime, NationalFigure: &f,
		}}); err != nil {
			return false, fmt.Errorf("seed %s: %w", f.Name(), err)
		}
	}
	return true, s.repo.MarkSeeded(ctx, seedName, s.now())
}

// seedReleases publishes each seeded year that has no release yet (a year released already, by
// an earlier run or an admin, is left alone), as an admin would.
func (s *Service) seedReleases(ctx context.Context) error {
	for _, y := range SeedYears {
		n, _, err := s.repo.LatestRelease(ctx, y.Year)
		if err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		if _, err := s.publishOnce(ctx, domain.Actor{Subject: "seed", Admin: true}, y.Year); err != nil && !errors.Is(err, domain.ErrNothingToPublish) {
			return fmt.Errorf("seed: publish %d: %w", y.Year, err)
		}
	}
	return nil
}

// seedReports spreads each year's total over the networks pro rata to their population (largest
// remainders, ties by id) and, for the monthly years, over the months with a mild seasonality.
func seedReports(networks []domain.Network) []*domain.Report {
	sorted := append([]domain.Network(nil), networks...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	weights := make([]int64, len(sorted))
	for i, n := range sorted {
		weights[i] = max(n.Population, 1)
	}
	season := []int64{8, 7, 8, 8, 9, 9, 10, 8, 8, 8, 8, 9} // per month, in twelfths of 100
	var out []*domain.Report
	for _, y := range SeedYears {
		for i, v := range split(y.Victims, weights) {
			id := sorted[i].ID
			if !y.Monthly {
				out = append(out, seedReport(id, domain.YearPeriod(y.Year), v))
				continue
			}
			for m, mv := range split(v, season) {
				out = append(out, seedReport(id, domain.MonthPeriod(y.Year, m+1), mv))
			}
		}
	}
	return out
}

func seedReport(network string, p domain.Period, victims int64) *domain.Report {
	sub := domain.Submission{Victims: victims, Children: victims * 6 / 10}
	for d, shares := range seedShares {
		dim := domain.Dimensions[d]
		var listed []domain.BucketCount
		for b, share := range shares {
			listed = append(listed, domain.BucketCount{Bucket: dim.Buckets[b], Count: victims * share / 1000})
		}
		sub.Breakdowns = append(sub.Breakdowns, listed)
	}
	c, err := domain.NewCounts(sub)
	if err != nil {
		panic(fmt.Sprintf("seed counts of %s %s: %v", network, p, err)) // the shares sum to at most 1000
	}
	return &domain.Report{Network: network, Period: p, Counts: c}
}

// split divides total in proportion to weights, to the unit: each part is the floor of its quota,
// and the units left go to the largest remainders (ties: the first).
func split(total int64, weights []int64) []int64 {
	var sum int64
	for _, w := range weights {
		sum += w
	}
	parts := make([]int64, len(weights))
	rem := make([]int64, len(weights))
	var given int64
	for i, w := range weights {
		parts[i] = total * w / sum
		rem[i] = total * w % sum
		given += parts[i]
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rem[order[a]] > rem[order[b]] })
	for k := int64(0); k < total-given; k++ {
		parts[order[k]]++
	}
	return parts
}

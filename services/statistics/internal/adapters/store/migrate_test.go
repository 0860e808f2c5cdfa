package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
	"github.com/vif71/vif/services/statistics/internal/adapters/store"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// TestUpgradeKeepsReportsAndFigures writes two revisions of a report and a national figure into
// a database migrated as it was before the request_id columns went (migration 00005 rebuilds
// both tables), opens the store on it and reads them back unchanged; the keys the store relies
// on still hold: one latest revision per report, the year of a figure taken.
func TestUpgradeKeepsReportsAndFigures(t *testing.T) {
	for _, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			ctx := context.Background()
			storagetest.MigrateUpTo(t, d.DB, os.DirFS("migrations"), "goose_statistics", 4)
			f := &fixture{db: d.DB}
			p := domain.QuarterPeriod(2025, 3)
			first, latest := f.report("chalonnais", p, 1), f.report("chalonnais", p, 2)
			first.Revision, latest.Revision = 1, 2
			fig := f.figure(2024)
			insertReportV4(t, d.DB, first, false)
			insertReportV4(t, d.DB, latest, true)
			insertFigureV4(t, d.DB, fig)
			repo, err := store.Open(ctx, d.DB, encodeEvent, nil)
			if err != nil {
				t.Fatalf("store.Open on a version 4 database: %v", err)
			}
			if got, err := repo.ReportRevisions(ctx, "chalonnais", p, 0, 10); err != nil || !sameReports(got, []*domain.Report{latest, first}) {
				t.Errorf("ReportRevisions(%q, %v) after the upgrade = %v, %v; want %v", "chalonnais", p, revisionKeys(got), err, revisionKeys([]*domain.Report{latest, first}))
			}
			if got, err := repo.LatestReport(ctx, "chalonnais", p); err != nil || !sameReport(got, latest) {
				t.Errorf("LatestReport(%q, %v) after the upgrade = %+v, %v; want %+v", "chalonnais", p, got, err, latest)
			}
			if got, err := repo.GetNationalFigure(ctx, 2024); err != nil || !sameFigure(got, fig) {
				t.Errorf("GetNationalFigure(2024) after the upgrade = %+v, %v; want %+v", got, err, fig)
			}
			third := *latest
			third.Revision = 3
			if err := insertReport(ctx, d.DB, &third, true); err == nil {
				t.Errorf("a second latest revision of %s after the upgrade was accepted; want a unique violation", latest.Name())
			}
			twin := f.figure(2024)
			if _, _, err := repo.CreateNationalFigure(ctx, twin, f.figureEvents(twin)); !errors.Is(err, domain.ErrAlreadyExists) {
				t.Errorf("CreateNationalFigure of a taken year after the upgrade = %v; want ErrAlreadyExists", err)
			}
		})
	}
}

// TestDowngradeKeepsReportsAndFigures migrates a store's database down to version 4 (the
// request_id columns back) and up again, and finds what was written before still there.
func TestDowngradeKeepsReportsAndFigures(t *testing.T) {
	for _, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, d.DB)
			p := domain.MonthPeriod(2025, 11)
			reports := f.submitN(t, "chalonnais", p, 7, 2)
			fig := f.createFigure(t, f.figure(2023), "")
			storagetest.MigrateDownTo(t, d.DB, os.DirFS("migrations"), "goose_statistics", 4)
			if n := f.count(t, "reports", "request_id IS NULL"); n != 2 {
				t.Errorf("reports without a request_id at version 4: %d; want 2", n)
			}
			repo, err := store.Open(ctx, d.DB, encodeEvent, nil)
			if err != nil {
				t.Fatalf("store.Open after the downgrade: %v", err)
			}
			want := []*domain.Report{reports[1], reports[0]}
			if got, err := repo.ReportRevisions(ctx, "chalonnais", p, 0, 10); err != nil || !sameReports(got, want) {
				t.Errorf("ReportRevisions(%q, %v) after down and up = %v, %v; want %v", "chalonnais", p, revisionKeys(got), err, revisionKeys(want))
			}
			if got, err := repo.LatestReport(ctx, "chalonnais", p); err != nil || !sameReport(got, reports[1]) {
				t.Errorf("LatestReport(%q, %v) after down and up = %+v, %v; want %+v", "chalonnais", p, got, err, reports[1])
			}
			if got, err := repo.GetNationalFigure(ctx, 2023); err != nil || !sameFigure(got, fig) {
				t.Errorf("GetNationalFigure(2023) after down and up = %+v, %v; want %+v", got, err, fig)
			}
		})
	}
}

// insertReportV4 writes r as the store wrote a revision at version 4, latest or not.
func insertReportV4(t *testing.T, db *storage.DB, r *domain.Report, latest bool) {
	t.Helper()
	if err := insertReport(context.Background(), db, r, latest); err != nil {
		t.Fatalf("insert %s#%d at version 4: %v", r.Name(), r.Revision, err)
	}
}

func insertReport(ctx context.Context, db *storage.DB, r *domain.Report, latest bool) error {
	c := r.Counts
	counts, err := json.Marshal(map[string]any{"victims": c.Victims, "children": c.Children, "breakdowns": c.Breakdowns})
	if err != nil {
		return err
	}
	p := r.Period
	_, err = db.ExecContext(ctx, `INSERT INTO reports (network, period, revision, year, granularity, first_month,
		counts, illustrative, submit_time, submitted_by, latest) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		r.Network, p.String(), r.Revision, p.Year(), int(p.Granularity()), p.FirstMonth(),
		string(counts), r.Illustrative, storage.Stored(r.SubmitTime), r.SubmittedBy, latest)
	return err
}

// insertFigureV4 writes fig as the store wrote it at version 4.
func insertFigureV4(t *testing.T, db *storage.DB, fig *domain.NationalFigure) {
	t.Helper()
	_, err := db.ExecContext(context.Background(), `INSERT INTO national_figures (year, value, source, source_url,
		illustrative, create_time) VALUES ($1, $2, $3, $4, $5, $6)`,
		fig.Year, fig.Value, fig.Source, fig.SourceURL, fig.Illustrative, storage.Stored(fig.CreateTime))
	if err != nil {
		t.Fatalf("insert national figure %d at version 4: %v", fig.Year, err)
	}
}

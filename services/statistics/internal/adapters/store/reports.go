package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// The columns a read needs: the period is rebuilt from its numbers, which the hot read scans
// faster than it would parse the text (the text column is there for people and for the key).
const reportColumns = `network, year, granularity, first_month, revision, counts, illustrative, submit_time, submitted_by`

// periodOf rebuilds a period from its stored numbers, refusing any that no period has.
func periodOf(year, granularity, firstMonth int) (domain.Period, error) {
	switch g := domain.Granularity(granularity); {
	case g == domain.Year && firstMonth == 1:
		return domain.YearPeriod(year), nil
	case g == domain.Quarter && firstMonth%3 == 1:
		return domain.QuarterPeriod(year, (firstMonth+2)/3), nil
	case g == domain.Month && firstMonth >= 1 && firstMonth <= 12:
		return domain.MonthPeriod(year, firstMonth), nil
	}
	return domain.Period{}, fmt.Errorf("store: reports: no period of year %d, granularity %d, first month %d", year, granularity, firstMonth)
}

func scanReport(row storage.Scanner) (*domain.Report, error) {
	var r domain.Report
	var year, granularity, firstMonth int
	var counts string
	err := row.Scan(&r.Network, &year, &granularity, &firstMonth, &r.Revision, &counts, &r.Illustrative, &r.SubmitTime, &r.SubmittedBy)
	if err != nil {
		return nil, err
	}
	if r.Period, err = periodOf(year, granularity, firstMonth); err != nil {
		return nil, err
	}
	if r.Counts, err = decodeCounts(counts); err != nil {
		return nil, fmt.Errorf("%s revision %d: %w", r.Name(), r.Revision, err)
	}
	r.SubmitTime = r.SubmitTime.UTC()
	return &r, nil
}

// revisionName is what a submission's idempotency key records: the revision it created, named
// as AIP-162 names revisions, e.g. "networks/chalonnais/reports/2022-Q1@3".
func revisionName(r *domain.Report) string {
	return fmt.Sprintf("%s@%d", r.Name(), r.Revision)
}

// reportByRevisionName reads the revision that revisionName named, in the transaction q.
func reportByRevisionName(ctx context.Context, q storage.Querier, name string) (*domain.Report, error) {
	at := strings.LastIndexByte(name, '@')
	if at < 0 {
		return nil, fmt.Errorf("store: %q names no revision", name)
	}
	report, revision := name[:at], name[at+1:]
	network, period, ok := strings.Cut(strings.TrimPrefix(report, "networks/"), "/reports/")
	if !ok {
		return nil, fmt.Errorf("store: %q names no report", name)
	}
	return scanReport(q.QueryRowContext(ctx, `SELECT `+reportColumns+` FROM reports
		WHERE network = $1 AND period = $2 AND revision = $3`, network, period, revision))
}

func insertReport(ctx context.Context, tx *sql.Tx, r *domain.Report, counts string) error {
	p := r.Period
	_, err := tx.ExecContext(ctx, `INSERT INTO reports (network, period, revision, year, granularity, first_month,
		counts, illustrative, submit_time, submitted_by, latest)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, TRUE)`,
		r.Network, p.String(), r.Revision, p.Year(), int(p.Granularity()), p.FirstMonth(),
		counts, r.Illustrative, r.SubmitTime, r.SubmittedBy)
	return err
}

// SubmitReport implements domain.Repository. The counts must pass Counts.Check; events is asked
// for the change's events once r holds its revision and its stored submit time, and must give at
// least one. The idempotency key in ctx is claimed in the same transaction (idempotency.Claim):
// a replay returns the revision submitted with it, without asking events; the key used with
// another request gives an error wrapping idempotency.ErrRequestIDReused. Of concurrent
// submissions of one report the first to commit wins each revision; the others get
// ErrConcurrentRevision, or, when they share its key, the winner's revision.
func (s *Store) SubmitReport(ctx context.Context, r *domain.Report, events func(*domain.Report) []*domain.Event) (*domain.Report, bool, error) {
	if r.Network == "" || r.Period.IsZero() {
		return nil, false, errors.New("store: a report needs a network and a period")
	}
	if events == nil {
		return nil, false, outbox.ErrMissingEvent
	}
	counts, err := encodeCounts(r.Counts)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", r.Name(), err)
	}
	var existing *domain.Report
	var revision int64
	err = s.Write(ctx, func(tx *sql.Tx) ([]*domain.Event, error) {
		latest, err := latestRevision(ctx, tx, r)
		if err != nil {
			return nil, err
		}
		revision = latest + 1
		r.Revision, r.SubmitTime = revision, storage.Stored(r.SubmitTime)
		// Claimed before the insert: a concurrent call with this key waits here for this one
		// (PostgreSQL) and then replays it instead of racing for the revision.
		prev, err := idempotency.Claim(ctx, tx, revisionName(r))
		if err != nil {
			return nil, err
		}
		if prev != "" {
			existing, err = reportByRevisionName(ctx, tx, prev)
			return nil, err
		}
		evs := events(r)
		if err := outbox.RequireEvents(evs); err != nil {
			return nil, err
		}
		if err := supersede(ctx, tx, r, latest); err != nil {
			return nil, err
		}
		if err := insertReport(ctx, tx, r, counts); err != nil {
			return nil, err
		}
		return evs, nil
	})
	if storage.IsUniqueViolation(err) {
		if reportKey.ViolatedBy(err) || latestReportKey.ViolatedBy(err) {
			return nil, false, fmt.Errorf("%s revision %d: %w", r.Name(), revision, domain.ErrConcurrentRevision)
		}
	}
	if err != nil {
		return nil, false, err
	}
	if existing != nil {
		return existing, false, nil
	}
	return r, true, nil
}

// latestRevision returns the latest revision of r's report, 0 when there is none.
func latestRevision(ctx context.Context, tx *sql.Tx, r *domain.Report) (int64, error) {
	var latest int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(revision), 0) FROM reports WHERE network = $1 AND period = $2`,
		r.Network, r.Period.String()).Scan(&latest)
	return latest, err
}

// supersede marks revision latest of r's report (none when 0) as no longer the latest. It comes
// before the insert: reports_latest admits one latest row per report. On PostgreSQL a concurrent
// submission that read the same latest revision waits here for this one, then fails on the
// primary key with the revision this one took.
func supersede(ctx context.Context, tx *sql.Tx, r *domain.Report, latest int64) error {
	if latest == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE reports SET latest = FALSE WHERE network = $1 AND period = $2 AND revision = $3`,
		r.Network, r.Period.String(), latest)
	return err
}

// SeedReports implements domain.Repository: one transaction writes every report of rs that has
// no revision yet as its revision 1, with its events, and keeps the others as they are.
func (s *Store) SeedReports(ctx context.Context, rs []*domain.Report, events func(*domain.Report) []*domain.Event) (int, error) {
	if events == nil {
		return 0, outbox.ErrMissingEvent
	}
	counts := make([]string, len(rs))
	for i, r := range rs {
		if r.Network == "" || r.Period.IsZero() {
			return 0, errors.New("store: a report needs a network and a period")
		}
		c, err := encodeCounts(r.Counts)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", r.Name(), err)
		}
		counts[i] = c
	}
	var written int
	err := s.Write(ctx, func(tx *sql.Tx) ([]*domain.Event, error) {
		written = 0
		var evs []*domain.Event
		for i, r := range rs {
			var n int
			err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM reports WHERE network = $1 AND period = $2`,
				r.Network, r.Period.String()).Scan(&n)
			if err != nil {
				return nil, err
			}
			if n > 0 {
				continue
			}
			r.Revision, r.SubmitTime = 1, storage.Stored(r.SubmitTime)
			e := events(r)
			if err := outbox.RequireEvents(e); err != nil {
				return nil, err
			}
			if err := insertReport(ctx, tx, r, counts[i]); err != nil {
				return nil, err
			}
			evs = append(evs, e...)
			written++
		}
		return evs, nil
	})
	return written, err
}

// LatestReport implements domain.Repository: one probe of reports_latest.
func (s *Store) LatestReport(ctx context.Context, network string, p domain.Period) (*domain.Report, error) {
	r, err := scanReport(s.DB.QueryRowContext(ctx, `SELECT `+reportColumns+` FROM reports
		WHERE latest AND network = $1 AND year = $2 AND first_month = $3 AND granularity = $4`,
		network, p.Year(), p.FirstMonth(), int(p.Granularity())))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.ErrNotFound
	}
	return r, err
}

// ReportRevisions implements domain.Repository. An empty page of a report that exists (every
// revision at or after beforeRevision) is an empty list, not ErrNotFound.
func (s *Store) ReportRevisions(ctx context.Context, network string, p domain.Period, beforeRevision int64, limit int) ([]*domain.Report, error) {
	query := `SELECT ` + reportColumns + ` FROM reports WHERE network = $1 AND period = $2`
	args := []any{network, p.String()}
	if beforeRevision > 0 {
		query += ` AND revision < $3`
		args = append(args, beforeRevision)
	}
	out, err := storage.Collect(ctx, s.DB, query+` ORDER BY revision DESC`+storage.Limit(limit), args, scanReport)
	if err != nil || len(out) > 0 {
		return out, err
	}
	var n int
	if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM reports WHERE network = $1 AND period = $2`,
		network, p.String()).Scan(&n); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, domain.ErrNotFound
	}
	return []*domain.Report{}, nil
}

// LatestReports implements domain.Repository, in one query on reports_latest (see the package
// doc): by network, then period start, then longest period first.
func (s *Store) LatestReports(ctx context.Context, network string, from, to int) ([]*domain.Report, error) {
	query := `SELECT ` + reportColumns + ` FROM reports WHERE latest AND year BETWEEN $1 AND $2`
	args := []any{from, to}
	if network != "" {
		query += ` AND network = $3`
		args = append(args, network)
	}
	return storage.Collect(ctx, s.DB, query+` ORDER BY network, year, first_month, granularity`, args, scanReport)
}

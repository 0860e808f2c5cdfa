package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/sqlstore"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

const figureColumns = `year, value, source, source_url, illustrative, create_time`

func scanFigure(row storage.Scanner) (*domain.NationalFigure, error) {
	var f domain.NationalFigure
	if err := row.Scan(&f.Year, &f.Value, &f.Source, &f.SourceURL, &f.Illustrative, &f.CreateTime); err != nil {
		return nil, err
	}
	f.CreateTime = f.CreateTime.UTC()
	return &f, nil
}

// CreateNationalFigure implements domain.Repository. A taken year gives ErrAlreadyExists, wrapped
// with the reason but not the figure's name, which the caller adds. The idempotency key in ctx is
// claimed in the same transaction (idempotency.Claim): a replay returns the figure created then
// and writes nothing.
func (s *Store) CreateNationalFigure(ctx context.Context, f *domain.NationalFigure, events []*domain.Event) (*domain.NationalFigure, bool, error) {
	if err := outbox.RequireEvents(events); err != nil {
		return nil, false, err
	}
	onUnique := func(err error) error {
		if figureYearKey.ViolatedBy(err) {
			return fmt.Errorf("its year is taken: %w", domain.ErrAlreadyExists)
		}
		return err
	}
	return sqlstore.CreateMapped(ctx, s.Shell, f.Name(), f, onUnique,
		func(tx *sql.Tx, prev string) (*domain.NationalFigure, error) {
			year, err := strconv.Atoi(strings.TrimPrefix(prev, "nationalFigures/"))
			if err != nil {
				return nil, fmt.Errorf("store: %q names no national figure", prev)
			}
			return scanFigure(tx.QueryRowContext(ctx, `SELECT `+figureColumns+` FROM national_figures WHERE year = $1`, year))
		},
		func(tx *sql.Tx) ([]*domain.Event, error) {
			f.CreateTime = storage.Stored(f.CreateTime)
			_, err := tx.ExecContext(ctx, `INSERT INTO national_figures (`+figureColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6)`,
				f.Year, f.Value, f.Source, f.SourceURL, f.Illustrative, f.CreateTime)
			if err != nil {
				return nil, err
			}
			return events, nil
		})
}

// GetNationalFigure implements domain.Repository.
func (s *Store) GetNationalFigure(ctx context.Context, year int) (*domain.NationalFigure, error) {
	f, err := scanFigure(s.DB.QueryRowContext(ctx, `SELECT `+figureColumns+` FROM national_figures WHERE year = $1`, year))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.ErrNotFound
	}
	return f, err
}

// ListNationalFigures implements domain.Repository: by year, resumed after afterYear; the total
// counts every figure, whatever the page.
func (s *Store) ListNationalFigures(ctx context.Context, afterYear, limit int) ([]*domain.NationalFigure, int, error) {
	after := func(w *storage.Where) error {
		w.Add("year > ?", afterYear)
		return nil
	}
	return storage.ReadPage(ctx, s.DB, "national_figures", figureColumns, &storage.Where{}, after, "year", limit, scanFigure)
}

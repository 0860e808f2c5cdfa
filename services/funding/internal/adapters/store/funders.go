package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/vif71/vif/platform/sqlstore"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/funding/internal/domain"
)

const funderColumns = `id, display_name, kind, epci, commune, organisation, siret, illustrative, revision, create_time, update_time`

var funderFilters = map[string]storage.FilterColumn{
	"kind":         {Column: "kind"},
	"epci":         {Column: "epci"},
	"organisation": {Column: "organisation"},
}

func scanFunder(row storage.Scanner) (*domain.Funder, error) {
	var f domain.Funder
	var kind string
	err := row.Scan(&f.ID, &f.DisplayName, &kind, &f.EPCI, &f.Commune, &f.Organisation, &f.SIRET,
		&f.Illustrative, &f.Revision, &f.CreateTime, &f.UpdateTime)
	if err != nil {
		return nil, err
	}
	f.Kind = domain.FunderKind(kind)
	f.CreateTime, f.UpdateTime = f.CreateTime.UTC(), f.UpdateTime.UTC()
	return &f, nil
}

func getFunder(ctx context.Context, q storage.Querier, id, suffix string) (*domain.Funder, error) {
	return storage.GetByID(ctx, q, "funders", funderColumns, id, suffix, scanFunder)
}

// fundersByID returns the funders of ids that exist, keyed by id.
func fundersByID(ctx context.Context, q storage.Querier, ids []string) (map[string]*domain.Funder, error) {
	out := make(map[string]*domain.Funder, len(ids))
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	for _, chunk := range chunks(ids) {
		var w storage.Where
		w.In("id", chunk)
		fs, err := storage.Collect(ctx, q, `SELECT `+funderColumns+` FROM funders`+w.String(), w.Args(), scanFunder)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			out[f.ID] = f
		}
	}
	return out, nil
}

// CreateFunder implements domain.Repository. The idempotency key in ctx is claimed in the same
// transaction (idempotency.Claim): a replay returns the funder created then.
func (s *Store) CreateFunder(ctx context.Context, f *domain.Funder, ev *domain.Event) (*domain.Funder, bool, error) {
	return sqlstore.Create(ctx, s.Shell, f.Name(), f, domain.ErrAlreadyExists,
		func(tx *sql.Tx, prev string) (*domain.Funder, error) {
			return getFunder(ctx, tx, strings.TrimPrefix(prev, "funders/"), "")
		},
		func(tx *sql.Tx) ([]*domain.Event, error) {
			f.CreateTime, f.UpdateTime = storage.Stored(f.CreateTime), storage.Stored(f.UpdateTime)
			_, err := tx.ExecContext(ctx, `INSERT INTO funders (`+funderColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
				f.ID, f.DisplayName, string(f.Kind), f.EPCI, f.Commune, f.Organisation, f.SIRET, f.Illustrative,
				f.Revision, f.CreateTime, f.UpdateTime)
			if err != nil {
				return nil, err
			}
			return []*domain.Event{ev}, nil
		})
}

// GetFunder implements domain.Repository.
func (s *Store) GetFunder(ctx context.Context, id string) (*domain.Funder, error) {
	return getFunder(ctx, s.DB, id, "")
}

// ListFunders implements domain.Repository: filters kind, epci and organisation; ordered and
// resumed by id.
func (s *Store) ListFunders(ctx context.Context, q domain.Query) ([]*domain.Funder, int, error) {
	return storage.ReadPageByID(ctx, s.DB, "funders", funderColumns, q.Filters, funderFilters, q.After, q.Limit, scanFunder)
}

// UpdateFunder implements domain.Repository.
func (s *Store) UpdateFunder(ctx context.Context, id string, update func(*domain.Funder) (*domain.Event, error)) (*domain.Funder, error) {
	var updated *domain.Funder
	err := s.Write(ctx, func(tx *sql.Tx) ([]*domain.Event, error) {
		f, err := getFunder(ctx, tx, id, s.ForNoKeyUpdate())
		if err != nil {
			return nil, err
		}
		ev, err := update(f)
		if err != nil {
			return nil, err
		}
		f.ID = id
		f.UpdateTime = storage.Stored(f.UpdateTime)
		_, err = tx.ExecContext(ctx, `UPDATE funders SET display_name = $2, kind = $3, epci = $4, commune = $5,
			organisation = $6, siret = $7, illustrative = $8, revision = $9, update_time = $10 WHERE id = $1`,
			id, f.DisplayName, string(f.Kind), f.EPCI, f.Commune, f.Organisation, f.SIRET, f.Illustrative,
			f.Revision, f.UpdateTime)
		if err != nil {
			return nil, err
		}
		updated = f
		return []*domain.Event{ev}, nil
	})
	if err != nil {
		return nil, err
	}
	return updated, nil
}

// FundersByEPCI implements domain.Repository. Should two EPCI funders name one SIREN, the one
// with the smaller id answers for it, so the result does not depend on the engine.
func (s *Store) FundersByEPCI(ctx context.Context, sirens []string) (map[string]*domain.Funder, error) {
	out := make(map[string]*domain.Funder, len(sirens))
	sirens = slices.Compact(slices.Sorted(slices.Values(sirens)))
	for _, chunk := range chunks(sirens) {
		var w storage.Where
		w.Add("kind = ?", string(domain.KindEPCI))
		w.In("epci", chunk)
		fs, err := storage.Collect(ctx, s.DB, `SELECT `+funderColumns+` FROM funders`+w.String()+` ORDER BY id`, w.Args(), scanFunder)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			if _, seen := out[f.EPCI]; !seen {
				out[f.EPCI] = f
			}
		}
	}
	return out, nil
}

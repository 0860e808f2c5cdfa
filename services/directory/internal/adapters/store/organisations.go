package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/vif71/vif/platform/sqlstore"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/directory/internal/domain"
)

const orgColumns = `id, display_name, kind, siret, commune, address, illustrative, revision, create_time, update_time`

// orgReadColumns are what reads return: orgColumns and the soft-delete time (NULL while the
// organisation is not deleted; written by deletes and updates, never by creates).
const orgReadColumns = orgColumns + `, delete_time`

// scanOrganisation scans orgColumns, then any extra destinations.
func scanOrganisation(row storage.Scanner, extra ...any) (*domain.Organisation, error) {
	var o domain.Organisation
	var kind string
	err := row.Scan(append([]any{&o.ID, &o.DisplayName, &kind, &o.SIRET, &o.Commune, &o.Address, &o.Illustrative, &o.Revision, &o.CreateTime, &o.UpdateTime}, extra...)...)
	if err != nil {
		return nil, err
	}
	o.Kind = domain.OrganisationKind(kind)
	o.CreateTime, o.UpdateTime = o.CreateTime.UTC(), o.UpdateTime.UTC()
	return &o, nil
}

// scanReadOrganisation scans orgReadColumns.
func scanReadOrganisation(row storage.Scanner) (*domain.Organisation, error) {
	var deleted sql.NullTime
	o, err := scanOrganisation(row, &deleted)
	if err != nil {
		return nil, err
	}
	if deleted.Valid {
		o.DeleteTime = deleted.Time.UTC()
	}
	return o, nil
}

// storedDeleteTime is o's delete time as the database keeps it (zero stays zero).
func storedDeleteTime(o *domain.Organisation) time.Time {
	if !o.Deleted() {
		return time.Time{}
	}
	return storage.Stored(o.DeleteTime)
}

// deleteTime is what the delete_time column holds for o: NULL while it is not deleted.
func deleteTime(o *domain.Organisation) sql.NullTime {
	return sql.NullTime{Time: o.DeleteTime, Valid: o.Deleted()}
}

func getOrganisation(ctx context.Context, q storage.Querier, id, suffix string) (*domain.Organisation, error) {
	return storage.GetByID(ctx, q, "organisations", orgReadColumns, id, suffix, scanReadOrganisation)
}

// CreateOrganisation implements domain.Repository. The idempotency key in ctx is claimed in the
// same transaction (idempotency.Claim): a replay returns the organisation created then.
func (s *Store) CreateOrganisation(ctx context.Context, o *domain.Organisation, ev *domain.Event) (*domain.Organisation, bool, error) {
	return sqlstore.Create(ctx, s.Shell, o.Name(), o, domain.ErrAlreadyExists,
		func(tx *sql.Tx, prev string) (*domain.Organisation, error) {
			return getOrganisation(ctx, tx, strings.TrimPrefix(prev, "organisations/"), "")
		},
		func(tx *sql.Tx) ([]*domain.Event, error) {
			o.CreateTime, o.UpdateTime = storage.Stored(o.CreateTime), storage.Stored(o.UpdateTime)
			_, err := s.DB.ExecTx(ctx, tx, `INSERT INTO organisations (`+orgColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				o.ID, o.DisplayName, string(o.Kind), o.SIRET, o.Commune, o.Address, o.Illustrative, o.Revision,
				o.CreateTime, o.UpdateTime)
			if err != nil {
				return nil, err
			}
			return []*domain.Event{ev}, nil
		})
}

// GetOrganisation implements domain.Repository.
func (s *Store) GetOrganisation(ctx context.Context, id string) (*domain.Organisation, error) {
	return getOrganisation(ctx, s.DB, id, "")
}

// ListOrganisations implements domain.Repository.
func (s *Store) ListOrganisations(ctx context.Context, q domain.OrganisationQuery) ([]*domain.Organisation, int, error) {
	var w storage.Where
	if q.Kind != "" {
		w.Add("kind = ?", string(q.Kind))
	}
	if q.Commune != "" {
		w.Add("commune = ?", q.Commune)
	}
	if q.SIRET != "" {
		w.Add("siret = ?", q.SIRET)
	}
	if !q.ShowDeleted {
		w.Add("delete_time IS NULL")
	}
	return storage.ReadPage(ctx, s.DB, "organisations", orgReadColumns, &w, storage.After("id", q.After), "id", q.Limit, scanReadOrganisation)
}

// UpdateOrganisation implements domain.Repository.
func (s *Store) UpdateOrganisation(ctx context.Context, id string, update func(*domain.Organisation) (*domain.Event, error)) (*domain.Organisation, error) {
	var updated *domain.Organisation
	err := s.Write(ctx, func(tx *sql.Tx) ([]*domain.Event, error) {
		o, err := getOrganisation(ctx, tx, id, s.ForUpdate())
		if err != nil {
			return nil, err
		}
		ev, err := update(o)
		if err != nil {
			return nil, err
		}
		o.UpdateTime, o.DeleteTime = storage.Stored(o.UpdateTime), storedDeleteTime(o)
		_, err = tx.ExecContext(ctx, `UPDATE organisations SET display_name = $2, kind = $3, siret = $4,
			commune = $5, address = $6, revision = $7, update_time = $8, delete_time = $9 WHERE id = $1`,
			o.ID, o.DisplayName, string(o.Kind), o.SIRET, o.Commune, o.Address, o.Revision, o.UpdateTime, deleteTime(o))
		if err != nil {
			return nil, err
		}
		updated = o
		return []*domain.Event{ev}, nil
	})
	return updated, err
}

// DeleteOrganisation implements domain.Repository: a soft delete, the row stays.
func (s *Store) DeleteOrganisation(ctx context.Context, id string, del func(*domain.Organisation, int) (*domain.Event, error)) (*domain.Organisation, error) {
	var deleted *domain.Organisation
	err := s.Write(ctx, func(tx *sql.Tx) ([]*domain.Event, error) {
		o, err := getOrganisation(ctx, tx, id, s.ForUpdate())
		if err != nil {
			return nil, err
		}
		var members int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE organisation = $1`, id).Scan(&members); err != nil {
			return nil, err
		}
		ev, err := del(o, members)
		if err != nil {
			return nil, err
		}
		o.UpdateTime, o.DeleteTime = storage.Stored(o.UpdateTime), storedDeleteTime(o)
		if _, err := tx.ExecContext(ctx, `UPDATE organisations SET delete_time = $2, revision = $3, update_time = $4 WHERE id = $1`,
			id, deleteTime(o), o.Revision, o.UpdateTime); err != nil {
			return nil, err
		}
		deleted = o
		return []*domain.Event{ev}, nil
	})
	return deleted, err
}

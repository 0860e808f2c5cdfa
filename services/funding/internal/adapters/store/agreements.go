package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/vif71/vif/platform/sqlstore"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/funding/internal/domain"
)

const agreementColumns = `id, post, year, state, reference, purpose, sign_date, start_date, close_date, total_cents, revision, create_time, update_time`

var agreementFilters = map[string]storage.FilterColumn{
	"state": {Column: "state"},
	"year":  {Column: "year", Integer: true},
	"post":  {Column: "post"},
}

func scanAgreement(row storage.Scanner) (*domain.Agreement, error) {
	var a domain.Agreement
	var state, sign, start, closed string
	err := row.Scan(&a.ID, &a.Post, &a.Year, &state, &a.Reference, &a.Purpose, &sign, &start, &closed,
		&a.TotalCents, &a.Revision, &a.CreateTime, &a.UpdateTime)
	if err != nil {
		return nil, err
	}
	a.State = domain.AgreementState(state)
	a.SignDate, a.StartDate, a.CloseDate = domain.Date(sign), domain.Date(start), domain.Date(closed)
	a.CreateTime, a.UpdateTime = a.CreateTime.UTC(), a.UpdateTime.UTC()
	return &a, nil
}

func getAgreement(ctx context.Context, q storage.Querier, id, suffix string) (*domain.Agreement, error) {
	return storage.GetByID(ctx, q, "agreements", agreementColumns, id, suffix, scanAgreement)
}

// planTaken is the error of a second agreement for one plan, which UNIQUE (post, year) refuses.
func planTaken(post string, year int32) error {
	return fmt.Errorf("%s already has an agreement: %w", domain.PlanName(post, year), domain.ErrAlreadyExists)
}

// CreateAgreement implements domain.Repository. check sees the plan (nil when missing) and
// whether it has an agreement already; should it approve a second agreement all the same, the
// store refuses it with ErrAlreadyExists, as it does a taken id. The idempotency key in ctx is
// claimed first, in the same transaction (idempotency.Claim): a replay returns the agreement
// created then, without calling check.
func (s *Store) CreateAgreement(ctx context.Context, a *domain.Agreement, check func(plan *domain.Plan, taken bool) (*domain.Event, error)) (*domain.Agreement, bool, error) {
	// A unique violation: the id, or the plan, was taken by a concurrent call; the engines do not
	// say which.
	taken := fmt.Errorf("the id, or %s's agreement, was taken: %w", domain.PlanName(a.Post, a.Year), domain.ErrAlreadyExists)
	return sqlstore.Create(ctx, s.Shell, a.Name(), a, taken,
		func(tx *sql.Tx, first string) (*domain.Agreement, error) {
			return getAgreement(ctx, tx, strings.TrimPrefix(first, "agreements/"), "")
		},
		func(tx *sql.Tx) ([]*domain.Event, error) {
			plan, err := getPlan(ctx, tx, a.Post, a.Year, s.ForShare())
			if err != nil {
				return nil, err
			}
			var agreements int
			err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agreements WHERE post = $1 AND year = $2`, a.Post, a.Year).Scan(&agreements)
			if err != nil {
				return nil, err
			}
			ev, err := check(plan, agreements > 0)
			if err != nil {
				return nil, err
			}
			if agreements > 0 {
				return nil, planTaken(a.Post, a.Year)
			}
			a.CreateTime, a.UpdateTime = storage.Stored(a.CreateTime), storage.Stored(a.UpdateTime)
			_, err = tx.ExecContext(ctx, `INSERT INTO agreements (`+agreementColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
				a.ID, a.Post, a.Year, string(a.State), a.Reference, a.Purpose, string(a.SignDate), string(a.StartDate),
				string(a.CloseDate), a.TotalCents, a.Revision, a.CreateTime, a.UpdateTime)
			if err != nil {
				return nil, err
			}
			return []*domain.Event{ev}, nil
		})
}

// GetAgreement implements domain.Repository.
func (s *Store) GetAgreement(ctx context.Context, id string) (*domain.Agreement, error) {
	return getAgreement(ctx, s.DB, id, "")
}

// ListAgreements implements domain.Repository: filters state, year and post; ordered and resumed
// by id.
func (s *Store) ListAgreements(ctx context.Context, q domain.Query) ([]*domain.Agreement, int, error) {
	return storage.ReadPageByID(ctx, s.DB, "agreements", agreementColumns, q.Filters, agreementFilters, q.After, q.Limit, scanAgreement)
}

// TransitionAgreement implements domain.Repository. The contributions change returns are
// inserted in the same transaction as the agreement's new state; one that exists already fails
// the whole change with ErrAlreadyExists.
func (s *Store) TransitionAgreement(ctx context.Context, id string, change func(a *domain.Agreement, plan *domain.Plan) ([]*domain.Contribution, *domain.Event, error)) (*domain.Agreement, error) {
	var updated *domain.Agreement
	err := s.Write(ctx, func(tx *sql.Tx) ([]*domain.Event, error) {
		// An agreement's post and year never change: read them unlocked to lock the plan first,
		// in the store's lock order, then lock the agreement.
		a, err := getAgreement(ctx, tx, id, "")
		if err != nil {
			return nil, err
		}
		plan, err := getPlan(ctx, tx, a.Post, a.Year, s.ForShare())
		if err != nil {
			return nil, err
		}
		if a, err = getAgreement(ctx, tx, id, s.ForNoKeyUpdate()); err != nil {
			return nil, err
		}
		post, year := a.Post, a.Year
		contributions, ev, err := change(a, plan)
		if err != nil {
			return nil, err
		}
		a.ID, a.Post, a.Year = id, post, year
		a.UpdateTime = storage.Stored(a.UpdateTime)
		_, err = tx.ExecContext(ctx, `UPDATE agreements SET state = $2, reference = $3, purpose = $4, sign_date = $5,
			start_date = $6, close_date = $7, total_cents = $8, revision = $9, update_time = $10 WHERE id = $1`,
			id, string(a.State), a.Reference, a.Purpose, string(a.SignDate), string(a.StartDate), string(a.CloseDate),
			a.TotalCents, a.Revision, a.UpdateTime)
		if err != nil {
			return nil, err
		}
		for _, c := range contributions {
			if err := insertContribution(ctx, tx, c); err != nil {
				if storage.IsUniqueViolation(err) {
					return nil, fmt.Errorf("%s: %w", c.Name(), domain.ErrAlreadyExists)
				}
				return nil, err
			}
		}
		updated = a
		return []*domain.Event{ev}, nil
	})
	if err != nil {
		return nil, err
	}
	return updated, nil
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/vif71/vif/platform/sqlstore"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// A plan's lists (explicit shares, EPCI funders, computed contributions) are JSON text columns:
// they are always read and written with the plan, never queried, and a JSON array reads the same
// on both engines. The shapes below, not the domain's Go field names, are the stored format.

type shareJSON struct {
	Funder string `json:"funder"`
	BP     int32  `json:"bp"`
}

type plannedJSON struct {
	Funder      string `json:"funder"`
	Kind        string `json:"kind"`
	AmountCents int64  `json:"amount_cents"`
}

// planLists are a plan's list columns as stored.
type planLists struct{ shares, epcis, contributions string }

func encodePlanLists(p *domain.Plan) (planLists, error) {
	shares := make([]shareJSON, len(p.Shares))
	for i, s := range p.Shares {
		shares[i] = shareJSON{Funder: s.Funder, BP: s.BP}
	}
	planned := make([]plannedJSON, len(p.Contributions))
	for i, c := range p.Contributions {
		planned[i] = plannedJSON{Funder: c.Funder, Kind: string(c.Kind), AmountCents: c.AmountCents}
	}
	var l planLists
	var err error
	if l.shares, err = storage.EncodeList(shares); err != nil {
		return l, err
	}
	if l.epcis, err = storage.EncodeList(p.EPCIFunders); err != nil {
		return l, err
	}
	l.contributions, err = storage.EncodeList(planned)
	return l, err
}

const planColumns = `post, year, annual_cost_cents, state_share_bp, state_funder, rule, shares, departement_funder,
	departement_share_bp, epci_funders, contributions, revisions, illustrative, revision, create_time, update_time`

var planFilters = map[string]storage.FilterColumn{
	"post": {Column: "post"},
	"year": {Column: "year", Integer: true},
}

func scanPlan(row storage.Scanner) (*domain.Plan, error) {
	var p domain.Plan
	var rule string
	var l planLists
	err := row.Scan(&p.Post, &p.Year, &p.AnnualCostCents, &p.StateShareBP, &p.StateFunder, &rule, &l.shares,
		&p.DepartementFunder, &p.DepartementShareBP, &l.epcis, &l.contributions, &p.Revisions, &p.Illustrative,
		&p.Revision, &p.CreateTime, &p.UpdateTime)
	if err != nil {
		return nil, err
	}
	p.Rule = domain.RuleKind(rule)
	shares, err := storage.DecodeList[shareJSON](l.shares, "plans.shares")
	if err != nil {
		return nil, err
	}
	for _, s := range shares {
		p.Shares = append(p.Shares, domain.Share{Funder: s.Funder, BP: s.BP})
	}
	if p.EPCIFunders, err = storage.DecodeList[string](l.epcis, "plans.epci_funders"); err != nil {
		return nil, err
	}
	planned, err := storage.DecodeList[plannedJSON](l.contributions, "plans.contributions")
	if err != nil {
		return nil, err
	}
	for _, c := range planned {
		p.Contributions = append(p.Contributions, domain.PlannedContribution{
			Funder: c.Funder, Kind: domain.FunderKind(c.Kind), AmountCents: c.AmountCents,
		})
	}
	p.CreateTime, p.UpdateTime = p.CreateTime.UTC(), p.UpdateTime.UTC()
	return &p, nil
}

// getPlan returns the plan of post for year, or nil when there is none.
func getPlan(ctx context.Context, q storage.Querier, post string, year int32, suffix string) (*domain.Plan, error) {
	p, err := scanPlan(q.QueryRowContext(ctx, `SELECT `+planColumns+` FROM plans WHERE post = $1 AND year = $2`+suffix, post, year))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return p, err
}

// planByName reads the plan that name ("posts/{post}/plans/{year}") names, nil when missing.
func planByName(ctx context.Context, q storage.Querier, name string) (*domain.Plan, error) {
	post, year, ok := strings.Cut(strings.TrimPrefix(name, "posts/"), "/plans/")
	y, err := strconv.ParseInt(year, 10, 32)
	if !ok || err != nil {
		return nil, fmt.Errorf("store: %q names no plan", name)
	}
	return getPlan(ctx, q, post, int32(y), "")
}

// planFunders lists the funders a plan names, each once.
func planFunders(p *domain.Plan) []string {
	var ids []string
	add := func(id string) {
		if id != "" {
			ids = append(ids, id)
		}
	}
	add(p.StateFunder)
	for _, s := range p.Shares {
		add(s.Funder)
	}
	add(p.DepartementFunder)
	for _, id := range p.EPCIFunders {
		add(id)
	}
	for _, c := range p.Contributions {
		add(c.Funder)
	}
	return ids
}

// CreatePlan implements domain.Repository. The post must exist (ErrNotFound, check not called)
// and have no plan for the year (ErrAlreadyExists, check not called). The idempotency key in
// ctx is claimed first, in the same transaction (idempotency.Claim): a replay returns the plan
// created then, without calling check.
func (s *Store) CreatePlan(ctx context.Context, p *domain.Plan, check func(funders map[string]*domain.Funder) (*domain.Event, error)) (*domain.Plan, bool, error) {
	return sqlstore.Create(ctx, s.Shell, p.Name(), p, domain.ErrAlreadyExists,
		func(tx *sql.Tx, first string) (*domain.Plan, error) {
			existing, err := planByName(ctx, tx, first)
			if err == nil && existing == nil {
				err = fmt.Errorf("%s: %w", first, domain.ErrNotFound)
			}
			return existing, err
		},
		func(tx *sql.Tx) ([]*domain.Event, error) {
			if _, err := getPost(ctx, tx, p.Post, s.ForKeyShare()); err != nil {
				return nil, fmt.Errorf("posts/%s: %w", p.Post, err)
			}
			if prev, err := getPlan(ctx, tx, p.Post, p.Year, ""); err != nil || prev != nil {
				if err == nil {
					err = domain.ErrAlreadyExists
				}
				return nil, err
			}
			funders, err := fundersByID(ctx, tx, planFunders(p))
			if err != nil {
				return nil, err
			}
			ev, err := check(funders)
			if err != nil {
				return nil, err
			}
			l, err := encodePlanLists(p)
			if err != nil {
				return nil, err
			}
			p.CreateTime, p.UpdateTime = storage.Stored(p.CreateTime), storage.Stored(p.UpdateTime)
			_, err = tx.ExecContext(ctx, `INSERT INTO plans (`+planColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
				p.Post, p.Year, p.AnnualCostCents, p.StateShareBP, p.StateFunder, string(p.Rule), l.shares,
				p.DepartementFunder, p.DepartementShareBP, l.epcis, l.contributions, p.Revisions, p.Illustrative,
				p.Revision, p.CreateTime, p.UpdateTime)
			if err != nil {
				return nil, err
			}
			return []*domain.Event{ev}, nil
		})
}

// GetPlan implements domain.Repository.
func (s *Store) GetPlan(ctx context.Context, post string, year int32) (*domain.Plan, error) {
	p, err := getPlan(ctx, s.DB, post, year, "")
	if err == nil && p == nil {
		err = domain.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// ListPlans implements domain.Repository: filters post and year; ordered by post then year and
// resumed after a key "post/year".
func (s *Store) ListPlans(ctx context.Context, q domain.Query) ([]*domain.Plan, int, error) {
	var w storage.Where
	if err := w.AddFilters("plans", q.Filters, planFilters); err != nil {
		return nil, 0, err
	}
	resume := func(w *storage.Where) error {
		if q.After == "" {
			return nil
		}
		post, yearText, ok := strings.Cut(q.After, "/")
		year, err := strconv.ParseInt(yearText, 10, 32)
		if !ok || err != nil {
			return fmt.Errorf("store: plans resume key %q is not post/year", q.After)
		}
		w.Add("(post > ? OR (post = ? AND year > ?))", post, post, year)
		return nil
	}
	return storage.ReadPage(ctx, s.DB, "plans", planColumns, &w, resume, "post, year", q.Limit, scanPlan)
}

// UpdatePlan implements domain.Repository.
func (s *Store) UpdatePlan(ctx context.Context, post string, year int32, update func(p *domain.Plan, agreement domain.AgreementState, funders func(ids []string) (map[string]*domain.Funder, error)) (*domain.Event, error)) (*domain.Plan, error) {
	var updated *domain.Plan
	err := s.Write(ctx, func(tx *sql.Tx) ([]*domain.Event, error) {
		p, err := getPlan(ctx, tx, post, year, s.ForNoKeyUpdate())
		if err != nil {
			return nil, err
		}
		if p == nil {
			return nil, domain.ErrNotFound
		}
		var state string
		err = tx.QueryRowContext(ctx, `SELECT state FROM agreements WHERE post = $1 AND year = $2`+s.ForShare(), post, year).Scan(&state)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		funders := func(ids []string) (map[string]*domain.Funder, error) { return fundersByID(ctx, tx, ids) }
		ev, err := update(p, domain.AgreementState(state), funders)
		if err != nil {
			return nil, err
		}
		l, err := encodePlanLists(p)
		if err != nil {
			return nil, err
		}
		p.Post, p.Year = post, year
		p.UpdateTime = storage.Stored(p.UpdateTime)
		_, err = tx.ExecContext(ctx, `UPDATE plans SET annual_cost_cents = $3, state_share_bp = $4, state_funder = $5,
			rule = $6, shares = $7, departement_funder = $8, departement_share_bp = $9, epci_funders = $10,
			contributions = $11, revisions = $12, illustrative = $13, revision = $14, update_time = $15
			WHERE post = $1 AND year = $2`,
			post, year, p.AnnualCostCents, p.StateShareBP, p.StateFunder, string(p.Rule), l.shares,
			p.DepartementFunder, p.DepartementShareBP, l.epcis, l.contributions, p.Revisions, p.Illustrative,
			p.Revision, p.UpdateTime)
		if err != nil {
			return nil, err
		}
		updated = p
		return []*domain.Event{ev}, nil
	})
	if err != nil {
		return nil, err
	}
	return updated, nil
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// Payments are rows of their own, numbered 1, 2, … per contribution (seq) in the order recorded,
// so that a contribution's Payments read back oldest first (by day, then seq).

const contributionColumns = `agreement, funder, funder_kind, year, amount_cents, called_cents, paid_cents, revision, update_time`

var contributionFilters = map[string]storage.FilterColumn{
	"agreement": {Column: "agreement"},
	"funder":    {Column: "funder"},
	"year":      {Column: "year", Integer: true},
}

func scanContribution(row storage.Scanner) (*domain.Contribution, error) {
	var c domain.Contribution
	var kind string
	err := row.Scan(&c.Agreement, &c.Funder, &kind, &c.Year, &c.AmountCents, &c.CalledCents, &c.PaidCents,
		&c.Revision, &c.UpdateTime)
	if err != nil {
		return nil, err
	}
	c.FunderKind = domain.FunderKind(kind)
	c.UpdateTime = c.UpdateTime.UTC()
	return &c, nil
}

// contributionKey identifies a contribution among others.
type contributionKey struct{ agreement, funder string }

func keyOf(c *domain.Contribution) contributionKey { return contributionKey{c.Agreement, c.Funder} }

// paymentsWhere reads the payments that where (a WHERE clause, with its args) selects, grouped
// by contribution, oldest first as domain.Contribution.SortPayments orders them: by day, then in
// the order recorded.
func paymentsWhere(ctx context.Context, q storage.Querier, where string, args []any) (map[contributionKey][]domain.Payment, error) {
	type row struct {
		key contributionKey
		p   domain.Payment
	}
	rows, err := storage.Collect(ctx, q, `SELECT agreement, funder, amount_cents, payment_date, reference FROM payments`+where+
		` ORDER BY agreement, funder, payment_date, seq`, args, func(sc storage.Scanner) (row, error) {
		var r row
		var date string
		err := sc.Scan(&r.key.agreement, &r.key.funder, &r.p.AmountCents, &date, &r.p.Reference)
		r.p.Date = domain.Date(date)
		return r, err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[contributionKey][]domain.Payment)
	for _, r := range rows {
		out[r.key] = append(out[r.key], r.p)
	}
	return out, nil
}

// attachPayments loads the payments of cs into them.
func attachPayments(ctx context.Context, q storage.Querier, cs []*domain.Contribution) error {
	agreements := make([]string, 0, len(cs))
	for _, c := range cs {
		agreements = append(agreements, c.Agreement)
	}
	agreements = slices.Compact(slices.Sorted(slices.Values(agreements)))
	for _, chunk := range chunks(agreements) {
		var w storage.Where
		w.In("agreement", chunk)
		payments, err := paymentsWhere(ctx, q, w.String(), w.Args())
		if err != nil {
			return err
		}
		for _, c := range cs {
			if ps, ok := payments[keyOf(c)]; ok {
				c.Payments = ps
			}
		}
	}
	return nil
}

// getContribution reads a contribution with its payments; suffix locks its row.
func getContribution(ctx context.Context, q storage.Querier, agreement, funder, suffix string) (*domain.Contribution, error) {
	c, err := scanContribution(q.QueryRowContext(ctx, `SELECT `+contributionColumns+` FROM contributions
		WHERE agreement = $1 AND funder = $2`+suffix, agreement, funder))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return c, attachPayments(ctx, q, []*domain.Contribution{c})
}

func contributionName(agreement, funder string) string {
	return (&domain.Contribution{Agreement: agreement, Funder: funder}).Name()
}

// insertContribution writes a new contribution with the payments it holds (none, normally).
func insertContribution(ctx context.Context, tx *sql.Tx, c *domain.Contribution) error {
	c.UpdateTime = storage.Stored(c.UpdateTime)
	_, err := tx.ExecContext(ctx, `INSERT INTO contributions (`+contributionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		c.Agreement, c.Funder, string(c.FunderKind), c.Year, c.AmountCents, c.CalledCents, c.PaidCents,
		c.Revision, c.UpdateTime)
	if err != nil {
		return err
	}
	for i, p := range c.Payments {
		if err := insertPayment(ctx, tx, c, int64(i+1), p); err != nil {
			return err
		}
	}
	return nil
}

func insertPayment(ctx context.Context, tx *sql.Tx, c *domain.Contribution, seq int64, p domain.Payment) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO payments (agreement, funder, seq, amount_cents, payment_date, reference)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		c.Agreement, c.Funder, seq, p.AmountCents, string(p.Date), p.Reference)
	return err
}

// GetContribution implements domain.Repository.
func (s *Store) GetContribution(ctx context.Context, agreement, funder string) (*domain.Contribution, error) {
	return getContribution(ctx, s.DB, agreement, funder, "")
}

// ListContributions implements domain.Repository: filters agreement, funder and year; ordered
// by agreement then funder and resumed after a key "agreement/funder".
func (s *Store) ListContributions(ctx context.Context, q domain.Query) ([]*domain.Contribution, int, error) {
	var w storage.Where
	if err := w.AddFilters("contributions", q.Filters, contributionFilters); err != nil {
		return nil, 0, err
	}
	resume := func(w *storage.Where) error {
		if q.After == "" {
			return nil
		}
		agreement, funder, ok := strings.Cut(q.After, "/")
		if !ok {
			return fmt.Errorf("store: contributions resume key %q is not agreement/funder", q.After)
		}
		w.Add("(agreement > ? OR (agreement = ? AND funder > ?))", agreement, agreement, funder)
		return nil
	}
	cs, total, err := storage.ReadPage(ctx, s.DB, "contributions", contributionColumns, &w, resume, "agreement, funder", q.Limit, scanContribution)
	if err != nil {
		return nil, 0, err
	}
	return cs, total, attachPayments(ctx, s.DB, cs)
}

// UpdateContribution implements domain.Repository.
//
// A payment is recorded by the event change returns: its Payment becomes a new payment row, in
// the same transaction. With an idempotency key in ctx (a RecordPayment's request_id), change
// must record a payment, and the key is claimed in the same transaction (idempotency.Claim): a
// replay returns the contribution as it is without calling change; the key used with another
// payment gives an error wrapping idempotency.ErrRequestIDReused.
func (s *Store) UpdateContribution(ctx context.Context, agreement, funder string, change func(c *domain.Contribution, state domain.AgreementState) (*domain.Event, error)) (*domain.Contribution, error) {
	var updated *domain.Contribution
	err := s.Write(ctx, func(tx *sql.Tx) ([]*domain.Event, error) {
		state, err := s.agreementState(ctx, tx, agreement)
		if err != nil {
			return nil, err
		}
		// The contribution's lock serialises its writers, so the claim below sees every key
		// committed before.
		c, err := getContribution(ctx, tx, agreement, funder, s.ForNoKeyUpdate())
		if err != nil {
			return nil, err
		}
		_, keyed := idempotency.FromContext(ctx)
		first, err := idempotency.Claim(ctx, tx, contributionName(agreement, funder))
		if err != nil {
			return nil, err
		}
		if first != "" {
			updated = c
			return nil, nil
		}
		payments := slices.Clone(c.Payments)
		ev, err := change(c, state)
		if err != nil {
			return nil, err
		}
		if ev == nil {
			return nil, outbox.ErrMissingEvent
		}
		if keyed && ev.Payment == nil {
			return nil, errors.New("store: a request id is for recording a payment, and the change records none")
		}
		c.Agreement, c.Funder = agreement, funder
		c.UpdateTime = storage.Stored(c.UpdateTime)
		if err := saveContribution(ctx, tx, c); err != nil {
			return nil, err
		}
		if ev.Payment != nil {
			if err := appendPayment(ctx, tx, c, *ev.Payment); err != nil {
				return nil, err
			}
			// What a later read gives, whether or not change appended the payment itself.
			payments = append(payments, *ev.Payment)
		}
		c.Payments = payments
		updated = c
		return []*domain.Event{ev}, nil
	})
	if err != nil {
		return nil, err
	}
	return updated, nil
}

// agreementState reads the state of agreement, locking its row in share mode (PostgreSQL) for
// the rest of tx.
func (s *Store) agreementState(ctx context.Context, tx *sql.Tx, agreement string) (domain.AgreementState, error) {
	var state string
	err := tx.QueryRowContext(ctx, `SELECT state FROM agreements WHERE id = $1`+s.ForShare(), agreement).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", domain.ErrNotFound
	}
	if err != nil {
		return "", err
	}
	return domain.AgreementState(state), nil
}

// saveContribution writes c's amounts, revision and update time to its row.
func saveContribution(ctx context.Context, tx *sql.Tx, c *domain.Contribution) error {
	_, err := tx.ExecContext(ctx, `UPDATE contributions SET funder_kind = $3, year = $4, amount_cents = $5,
		called_cents = $6, paid_cents = $7, revision = $8, update_time = $9 WHERE agreement = $1 AND funder = $2`,
		c.Agreement, c.Funder, string(c.FunderKind), c.Year, c.AmountCents, c.CalledCents, c.PaidCents, c.Revision, c.UpdateTime)
	return err
}

// appendPayment inserts p as c's next payment row (its sequence number one past the last).
func appendPayment(ctx context.Context, tx *sql.Tx, c *domain.Contribution, p domain.Payment) error {
	var last int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM payments WHERE agreement = $1 AND funder = $2`,
		c.Agreement, c.Funder).Scan(&last)
	if err != nil {
		return err
	}
	return insertPayment(ctx, tx, c, last+1, p)
}

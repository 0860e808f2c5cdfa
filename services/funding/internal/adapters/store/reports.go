package store

import (
	"context"

	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// PlansOfYear implements domain.Repository: every plan of year, ordered by post.
func (s *Store) PlansOfYear(ctx context.Context, year int32) ([]*domain.Plan, error) {
	return storage.Collect(ctx, s.DB, `SELECT `+planColumns+` FROM plans WHERE year = $1 ORDER BY post`, []any{year}, scanPlan)
}

// AgreementsOfYear implements domain.Repository: every agreement of year ordered by id, and the
// contributions (with their payments) of the signed, active and closed ones, by funder.
//
// The three reads are not one snapshot: a report run while payments are recorded may count a
// payment in a contribution's PaidCents and not in its Payments, or the reverse. Reports read
// the cents, which each row keeps consistent.
func (s *Store) AgreementsOfYear(ctx context.Context, year int32) ([]*domain.Agreement, map[string][]*domain.Contribution, error) {
	agreements, err := storage.Collect(ctx, s.DB, `SELECT `+agreementColumns+` FROM agreements WHERE year = $1 ORDER BY id`, []any{year}, scanAgreement)
	if err != nil {
		return nil, nil, err
	}
	var committed storage.Where
	committed.Add("year = ?", year)
	committed.In("state", committedStates())
	sub := `SELECT id FROM agreements` + committed.String()
	contributions, err := storage.Collect(ctx, s.DB, `SELECT `+contributionColumns+` FROM contributions WHERE agreement IN (`+sub+`)
		ORDER BY agreement, funder`, committed.Args(), scanContribution)
	if err != nil {
		return nil, nil, err
	}
	payments, err := paymentsWhere(ctx, s.DB, ` WHERE agreement IN (`+sub+`)`, committed.Args())
	if err != nil {
		return nil, nil, err
	}
	byAgreement := make(map[string][]*domain.Contribution)
	for _, c := range contributions {
		c.Payments = payments[keyOf(c)]
		byAgreement[c.Agreement] = append(byAgreement[c.Agreement], c)
	}
	return agreements, byAgreement, nil
}

func committedStates() []string {
	var out []string
	for _, st := range domain.AgreementStates {
		if st.Committed() {
			out = append(out, string(st))
		}
	}
	return out
}

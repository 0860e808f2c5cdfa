package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// CallContribution asks a funder for amount cents of its contribution (0: everything not called
// yet). The total called never exceeds what the funder owes.
func (s *Service) CallContribution(ctx context.Context, agreement, funder string, amount int64, date domain.Date, etag string) (*domain.Contribution, error) {
	if !date.Valid() {
		return nil, validation.Field("call_date", "is required: a valid calendar date")
	}
	signed, err := s.repo.GetAgreement(ctx, agreement)
	if err != nil {
		return nil, fmt.Errorf("agreements/%s: %w", agreement, err)
	}
	c, err := s.repo.UpdateContribution(ctx, agreement, funder, func(c *domain.Contribution, state domain.AgreementState) (*domain.Event, error) {
		if err := domain.CheckEtag(etag, c.Etag()); err != nil {
			return nil, err
		}
		if state != domain.StateSigned && state != domain.StateActive {
			return nil, fmt.Errorf("the agreement is %s; contributions are called while it is signed or active: %w", state, domain.ErrWrongState)
		}
		if err := afterSignature(signed, state, "call_date", date); err != nil {
			return nil, err
		}
		uncalled := c.AmountCents - c.CalledCents
		if amount == 0 {
			amount = uncalled
		}
		if amount == 0 {
			return nil, fmt.Errorf("everything owed (%d cents) was already called: %w", c.AmountCents, domain.ErrWrongState)
		}
		if amount > uncalled {
			return nil, validation.Field("amount_cents", fmt.Sprintf("%d cents is more than what is left to call (%d cents)", amount, uncalled))
		}
		c.CalledCents += amount
		c.Revision++
		c.UpdateTime = s.now()
		ev := s.newEvent(domain.ContributionCalled)
		ev.Contribution, ev.AmountCents, ev.CallDate = c, amount, date
		return ev, nil
	})
	if err != nil {
		return nil, fmt.Errorf("agreements/%s/contributions/%s: %w", agreement, funder, err)
	}
	return c, nil
}

// RecordPayment records money received for a contribution: partial payments are allowed, up to
// what was called and not paid yet. With a request_id already used for the same payment (its key
// travels in ctx), it changes nothing.
func (s *Service) RecordPayment(ctx context.Context, agreement, funder string, pay domain.Payment, etag string) (*domain.Contribution, error) {
	pay.Reference = strings.TrimSpace(pay.Reference)
	var errs validation.Error
	if pay.AmountCents <= 0 {
		errs.Add("amount_cents", "must be positive (euro cents)")
	}
	if !pay.Date.Valid() {
		errs.Add("payment_date", "is required: a valid calendar date")
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	signed, err := s.repo.GetAgreement(ctx, agreement)
	if err != nil {
		return nil, fmt.Errorf("agreements/%s: %w", agreement, err)
	}
	c, err := s.repo.UpdateContribution(ctx, agreement, funder, func(c *domain.Contribution, state domain.AgreementState) (*domain.Event, error) {
		if err := domain.CheckEtag(etag, c.Etag()); err != nil {
			return nil, err
		}
		if !state.Committed() {
			return nil, fmt.Errorf("the agreement is %s: %w", state, domain.ErrWrongState)
		}
		if err := afterSignature(signed, state, "payment_date", pay.Date); err != nil {
			return nil, err
		}
		if pay.AmountCents > c.DueCents() {
			return nil, validation.Field("amount_cents", fmt.Sprintf("%d cents is more than what was called and not paid (%d cents)", pay.AmountCents, c.DueCents()))
		}
		c.PaidCents += pay.AmountCents
		c.Payments = append(c.Payments, pay)
		c.Revision++
		c.UpdateTime = s.now()
		ev := s.newEvent(domain.PaymentRecorded)
		ev.Contribution, ev.Payment = c, &pay
		return ev, nil
	})
	if err != nil {
		return nil, fmt.Errorf("agreements/%s/contributions/%s: %w", agreement, funder, err)
	}
	c.SortPayments()
	return c, nil
}

// afterSignature checks that d (the request's field) is not before the signature of a, which
// was read before the contribution's transaction: its sign date never changes once signed. When
// the transaction finds it signed and the read did not (a signature landed in between), the
// request was judged on a stale read and is refused, to retry.
func afterSignature(a *domain.Agreement, state domain.AgreementState, field string, d domain.Date) error {
	if state.Committed() && a.SignDate == "" {
		return fmt.Errorf("%s was signed while the request was read: %w", a.Name(), domain.ErrEtagMismatch)
	}
	return a.CheckAfterSignature(field, d)
}

// GetContribution returns one contribution, to managers and to the funder's own officers.
func (s *Service) GetContribution(ctx context.Context, actor domain.Actor, agreement, funder string) (*domain.Contribution, error) {
	name := "agreements/" + agreement + "/contributions/" + funder
	if !actor.Manager {
		f, err := s.repo.GetFunder(ctx, funder)
		if err != nil || !actor.CanReadContributionsOf(f) {
			return nil, fmt.Errorf("%s: only finance officers and the funder's own officers read it: %w", name, domain.ErrPermissionDenied)
		}
	}
	c, err := s.repo.GetContribution(ctx, agreement, funder)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return c, nil
}

// ListContributions returns one page of contributions. Managers see all; a funder's officers see
// their funder's, and must name it when their organisation acts for several funders.
func (s *Service) ListContributions(ctx context.Context, actor domain.Actor, q domain.Query) (Page[*domain.Contribution], error) {
	if !actor.Manager {
		if actor.Organisation == "" {
			return Page[*domain.Contribution]{}, fmt.Errorf("contributions are read by finance officers and the funders' own officers; others see the summaries: %w", domain.ErrPermissionDenied)
		}
		own, _, err := s.repo.ListFunders(ctx, domain.Query{Filters: map[string]string{"organisation": actor.Organisation}, Limit: 100})
		if err != nil {
			return Page[*domain.Contribution]{}, err
		}
		asked, named := q.Filters["funder"]
		switch {
		case named:
			if !containsFunder(own, asked) {
				return Page[*domain.Contribution]{}, fmt.Errorf("funders/%s is not yours: %w", asked, domain.ErrPermissionDenied)
			}
		case len(own) == 1:
			q.Filters = withFilter(q.Filters, "funder", own[0].ID)
		case len(own) == 0:
			return Page[*domain.Contribution]{}, fmt.Errorf("organisations/%s acts for no funder: %w", actor.Organisation, domain.ErrPermissionDenied)
		default:
			return Page[*domain.Contribution]{}, validation.Field("filter", "your organisation acts for several funders: filter by funder")
		}
	}
	return page(q, func(q domain.Query) ([]*domain.Contribution, int, error) { return s.repo.ListContributions(ctx, q) },
		func(c *domain.Contribution) string { return c.Agreement + "/" + c.Funder })
}

func containsFunder(fs []*domain.Funder, id string) bool {
	for _, f := range fs {
		if f.ID == id {
			return true
		}
	}
	return false
}

func withFilter(filters map[string]string, key, value string) map[string]string {
	out := map[string]string{key: value}
	for k, v := range filters {
		if k != key {
			out[k] = v
		}
	}
	return out
}

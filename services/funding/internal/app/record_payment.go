package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// RecordPayment records money received for a contribution: partial payments are allowed, up to
// what was called and not paid yet (domain.Contribution.Pay). With a request_id already used for
// the same payment (its key travels in ctx), it changes nothing.
func (s *Service) RecordPayment(ctx context.Context, agreement, funder string, pay domain.Payment, etag string) (*domain.Contribution, error) {
	if err := domain.CheckPayment(&pay); err != nil {
		return nil, err
	}
	signed, err := s.repo.GetAgreement(ctx, agreement)
	if err != nil {
		return nil, fmt.Errorf("agreements/%s: %w", agreement, err)
	}
	c, err := s.repo.UpdateContribution(ctx, agreement, funder, func(c *domain.Contribution, state domain.AgreementState) (*domain.Event, error) {
		if err := resource.CheckEtag(etag, c.Etag()); err != nil {
			return nil, err
		}
		if err := c.Pay(signed, state, pay); err != nil {
			return nil, err
		}
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

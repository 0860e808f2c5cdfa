package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// CallContribution asks a funder for amount cents of its contribution (0: everything not called
// yet). The total called never exceeds what the funder owes (domain.Contribution.Call).
func (s *Service) CallContribution(ctx context.Context, agreement, funder string, amount int64, date domain.Date, etag string) (*domain.Contribution, error) {
	if !date.Valid() {
		return nil, validation.Field("call_date", "is required: a valid calendar date")
	}
	signed, err := s.repo.GetAgreement(ctx, agreement)
	if err != nil {
		return nil, fmt.Errorf("agreements/%s: %w", agreement, err)
	}
	c, err := s.repo.UpdateContribution(ctx, agreement, funder, func(c *domain.Contribution, state domain.AgreementState) (*domain.Event, error) {
		if err := resource.CheckEtag(etag, c.Etag()); err != nil {
			return nil, err
		}
		called, err := c.Call(signed, state, amount, date)
		if err != nil {
			return nil, err
		}
		c.Revision++
		c.UpdateTime = s.now()
		ev := s.newEvent(domain.ContributionCalled)
		ev.Contribution, ev.AmountCents, ev.CallDate = c, called, date
		return ev, nil
	})
	if err != nil {
		return nil, fmt.Errorf("agreements/%s/contributions/%s: %w", agreement, funder, err)
	}
	return c, nil
}

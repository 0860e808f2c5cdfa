package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// CreateAgreement drafts the agreement of a plan; a plan has one agreement.
func (s *Service) CreateAgreement(ctx context.Context, a domain.Agreement) (*domain.Agreement, error) {
	if a.ID == "" {
		a.ID = fmt.Sprintf("%s-%d", a.Post, a.Year)
		if !domain.ValidID(a.ID) {
			// A post id near the 63-character limit leaves no room for the year: a longer id
			// would name an agreement that no method accepts.
			a.ID = "a-" + s.ids()
		}
	} else if !domain.ValidID(a.ID) {
		return nil, validation.Field("agreement_id", "must be lowercase letters, digits and hyphens, at most 63")
	}
	a.Reference, a.Purpose = strings.TrimSpace(a.Reference), strings.TrimSpace(a.Purpose)
	if a.Purpose == "" {
		post, err := s.repo.GetPost(ctx, a.Post)
		if err != nil {
			return nil, validation.Field("agreement.plan", domain.PlanName(a.Post, a.Year)+" does not exist")
		}
		a.Purpose = fmt.Sprintf("Co-financement du poste %s, année %d", post.DisplayName, a.Year)
	}
	now := s.now()
	a.State, a.CreateTime, a.UpdateTime, a.Revision = domain.StateDraft, now, now, 1
	created, _, err := s.repo.CreateAgreement(ctx, &a, func(plan *domain.Plan, taken bool) (*domain.Event, error) {
		if plan == nil {
			return nil, validation.Field("agreement.plan", domain.PlanName(a.Post, a.Year)+" does not exist")
		}
		if taken {
			return nil, fmt.Errorf("%s already has an agreement: %w", plan.Name(), domain.ErrAlreadyExists)
		}
		a.TotalCents = plan.AnnualCostCents
		ev := s.newEvent(domain.AgreementCreated)
		ev.Agreement = &a
		return ev, nil
	})
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", a.Name(), err)
	}
	return created, nil
}

// SignAgreement signs a draft: the plan is frozen and each funder's contribution opens with the
// plan's amount.
func (s *Service) SignAgreement(ctx context.Context, id, reference string, date domain.Date, etag string) (*domain.Agreement, error) {
	reference = strings.TrimSpace(reference)
	return s.transition(ctx, id, etag, domain.AgreementSigned, func(a *domain.Agreement, plan *domain.Plan) ([]*domain.Contribution, error) {
		if a.State != domain.StateDraft {
			return nil, fmt.Errorf("%s is %s; only a draft can be signed: %w", a.Name(), a.State, domain.ErrWrongState)
		}
		if reference != "" {
			a.Reference = reference
		}
		if a.Reference == "" {
			return nil, validation.Field("reference", "is required to sign: the reference of the signed act")
		}
		if !date.Valid() {
			return nil, validation.Field("sign_date", "is required: a valid calendar date")
		}
		a.State, a.SignDate, a.TotalCents = domain.StateSigned, date, plan.AnnualCostCents
		contributions := make([]*domain.Contribution, 0, len(plan.Contributions))
		for _, pc := range plan.Contributions {
			contributions = append(contributions, &domain.Contribution{
				Agreement: a.ID, Funder: pc.Funder, FunderKind: pc.Kind, Year: plan.Year,
				AmountCents: pc.AmountCents, Revision: 1, UpdateTime: s.now(),
			})
		}
		return contributions, nil
	})
}

// ActivateAgreement puts a signed agreement in force.
func (s *Service) ActivateAgreement(ctx context.Context, id string, date domain.Date, etag string) (*domain.Agreement, error) {
	return s.transition(ctx, id, etag, domain.AgreementActivated, func(a *domain.Agreement, _ *domain.Plan) ([]*domain.Contribution, error) {
		if a.State != domain.StateSigned {
			return nil, fmt.Errorf("%s is %s; only a signed agreement can be activated: %w", a.Name(), a.State, domain.ErrWrongState)
		}
		if !date.Valid() {
			return nil, validation.Field("start_date", "is required: a valid calendar date")
		}
		if date < a.SignDate {
			return nil, validation.Field("start_date", "is before the sign date "+string(a.SignDate))
		}
		a.State, a.StartDate = domain.StateActive, date
		return nil, nil
	})
}

// CloseAgreement closes a signed or active agreement.
func (s *Service) CloseAgreement(ctx context.Context, id string, date domain.Date, etag string) (*domain.Agreement, error) {
	return s.transition(ctx, id, etag, domain.AgreementClosed, func(a *domain.Agreement, _ *domain.Plan) ([]*domain.Contribution, error) {
		if a.State != domain.StateSigned && a.State != domain.StateActive {
			return nil, fmt.Errorf("%s is %s; only a signed or active agreement can be closed: %w", a.Name(), a.State, domain.ErrWrongState)
		}
		if !date.Valid() {
			return nil, validation.Field("close_date", "is required: a valid calendar date")
		}
		if date < a.SignDate || (a.StartDate != "" && date < a.StartDate) {
			return nil, validation.Field("close_date", "is before the agreement was signed or took effect")
		}
		a.State, a.CloseDate = domain.StateClosed, date
		return nil, nil
	})
}

func (s *Service) transition(ctx context.Context, id, etag string, evType domain.EventType, change func(*domain.Agreement, *domain.Plan) ([]*domain.Contribution, error)) (*domain.Agreement, error) {
	a, err := s.repo.TransitionAgreement(ctx, id, func(a *domain.Agreement, plan *domain.Plan) ([]*domain.Contribution, *domain.Event, error) {
		if err := domain.CheckEtag(etag, a.Etag()); err != nil {
			return nil, nil, err
		}
		previous := a.State
		contributions, err := change(a, plan)
		if err != nil {
			return nil, nil, err
		}
		a.Revision++
		a.UpdateTime = s.now()
		ev := s.newEvent(evType)
		ev.Agreement, ev.PreviousState = a, previous
		return contributions, ev, nil
	})
	if err != nil {
		return nil, fmt.Errorf("agreements/%s: %w", id, err)
	}
	return a, nil
}

// GetAgreement returns one agreement.
func (s *Service) GetAgreement(ctx context.Context, id string) (*domain.Agreement, error) {
	a, err := s.repo.GetAgreement(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("agreements/%s: %w", id, err)
	}
	if err := s.draftTotal(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// ListAgreements returns one page of agreements.
func (s *Service) ListAgreements(ctx context.Context, q domain.Query) (Page[*domain.Agreement], error) {
	p, err := page(q, func(q domain.Query) ([]*domain.Agreement, int, error) { return s.repo.ListAgreements(ctx, q) },
		func(a *domain.Agreement) string { return a.ID })
	if err != nil {
		return p, err
	}
	for _, a := range p.Items {
		if err := s.draftTotal(ctx, a); err != nil {
			return Page[*domain.Agreement]{}, err
		}
	}
	return p, nil
}

// draftTotal gives a draft the total of its plan as the plan is now: the plan may be revised until
// the agreement is signed, while the stored total is the plan's when the draft was created.
func (s *Service) draftTotal(ctx context.Context, a *domain.Agreement) error {
	if a.State != domain.StateDraft {
		return nil
	}
	plan, err := s.repo.GetPlan(ctx, a.Post, a.Year)
	if err != nil {
		return fmt.Errorf("%s of %s: %w", domain.PlanName(a.Post, a.Year), a.Name(), err)
	}
	a.TotalCents = plan.AnnualCostCents
	return nil
}

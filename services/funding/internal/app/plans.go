package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// CreatePlan validates a post's plan for a year, computes each funder's contribution to the
// cent, and stores it with its event.
func (s *Service) CreatePlan(ctx context.Context, p domain.Plan) (*domain.Plan, error) {
	if err := checkPlanShape(&p); err != nil {
		return nil, err
	}
	post, err := s.repo.GetPost(ctx, p.Post)
	if err != nil {
		return nil, fmt.Errorf("posts/%s: %w", p.Post, err)
	}
	if err := post.CheckPlanYear(p.Year); err != nil {
		return nil, err
	}
	pops, err := s.preparePlan(ctx, &p, post)
	if err != nil {
		return nil, err
	}
	now := s.now()
	p.CreateTime, p.UpdateTime, p.Revision, p.Revisions = now, now, 1, 0
	created, _, err := s.repo.CreatePlan(ctx, &p, func(funders map[string]*domain.Funder) (*domain.Event, error) {
		if err := computePlan(&p, funders, pops); err != nil {
			return nil, err
		}
		ev := s.newEvent(domain.PlanCreated)
		ev.Plan = &p
		return ev, nil
	})
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", p.Name(), err)
	}
	return created, nil
}

// UpdatePlan revises a plan and recomputes its contributions, unless its agreement is signed.
func (s *Service) UpdatePlan(ctx context.Context, postID string, year int32, patch domain.Plan, mask []string, etag string) (*domain.Plan, error) {
	// Resolve what needs the directory before the transaction, on the plan as it is now.
	current, err := s.repo.GetPlan(ctx, postID, year)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", domain.PlanName(postID, year), err)
	}
	post, err := s.repo.GetPost(ctx, postID)
	if err != nil {
		return nil, err
	}
	draft := *current
	applyPlan(&draft, &patch, mask)
	if err := checkPlanShape(&draft); err != nil {
		return nil, err
	}
	pops, err := s.preparePlan(ctx, &draft, post)
	if err != nil {
		return nil, err
	}
	updated, err := s.repo.UpdatePlan(ctx, postID, year, func(p *domain.Plan, state domain.AgreementState, funders func([]string) (map[string]*domain.Funder, error)) (*domain.Event, error) {
		if err := domain.CheckEtag(etag, p.Etag()); err != nil {
			return nil, err
		}
		if state.Committed() {
			return nil, fmt.Errorf("its agreement is %s; a signed plan cannot be revised: %w", state, domain.ErrWrongState)
		}
		if p.Revision != current.Revision {
			// Changed since it was read outside the transaction: the directory answers may no
			// longer fit.
			return nil, domain.ErrEtagMismatch
		}
		applyPlan(p, &patch, mask)
		p.EPCIFunders = draft.EPCIFunders
		fs, err := funders(planFunders(p))
		if err != nil {
			return nil, err
		}
		if err := computePlan(p, fs, pops); err != nil {
			return nil, err
		}
		p.Revision++
		p.Revisions++
		p.UpdateTime = s.now()
		ev := s.newEvent(domain.PlanRevised)
		ev.Plan, ev.UpdateMask = p, mask
		return ev, nil
	})
	if err != nil {
		return nil, fmt.Errorf("update %s: %w", domain.PlanName(postID, year), err)
	}
	return updated, nil
}

func applyPlan(p, patch *domain.Plan, mask []string) {
	for _, f := range mask {
		switch f {
		case "annual_cost_cents":
			p.AnnualCostCents = patch.AnnualCostCents
		case "state_share_bp":
			p.StateShareBP = patch.StateShareBP
		case "state_funder":
			p.StateFunder = patch.StateFunder
		case "explicit_shares":
			if patch.Rule == domain.RuleExplicit {
				p.Rule, p.Shares = domain.RuleExplicit, slices.Clone(patch.Shares)
				p.DepartementFunder, p.DepartementShareBP, p.EPCIFunders = "", 0, nil
			}
		case "population_shares":
			if patch.Rule == domain.RulePopulation {
				p.Rule, p.Shares = domain.RulePopulation, nil
				p.DepartementFunder, p.DepartementShareBP = patch.DepartementFunder, patch.DepartementShareBP
				p.EPCIFunders = slices.Clone(patch.EPCIFunders)
			}
		}
	}
}

// checkPlanShape checks what needs no lookup.
func checkPlanShape(p *domain.Plan) error {
	var errs validation.Error
	if p.Year < 2000 || p.Year > 2100 {
		errs.Add("year", "must be between 2000 and 2100")
	}
	if p.AnnualCostCents <= 0 {
		errs.Add("funding_plan.annual_cost_cents", "must be positive (euro cents)")
	}
	if p.StateShareBP < 0 || p.StateShareBP > domain.FullBP {
		errs.Add("funding_plan.state_share_bp", "must be between 0 and 10000 basis points")
	}
	if p.StateShareBP > 0 && p.StateFunder == "" {
		errs.Add("funding_plan.state_funder", "is required when the State's share is not zero: funders/{funder} of kind STATE")
	}
	switch p.Rule {
	case domain.RuleExplicit:
		if len(p.Shares) == 0 {
			errs.Add("funding_plan.explicit_shares.shares", "at least one share is required")
		}
	case domain.RulePopulation:
		if p.DepartementFunder == "" {
			errs.Add("funding_plan.population_shares.departement_funder", "is required: funders/{funder} of kind DEPARTEMENT")
		}
	default:
		errs.Add("funding_plan.remainder_rule", "is required: explicit_shares or population_shares")
	}
	return errs.Err()
}

// preparePlan resolves, with the directory, what the plan's rule needs: for a population split
// without listed EPCI funders, the funders of the EPCIs of the post's network; and the population
// of every EPCI funder. It reads outside any transaction.
func (s *Service) preparePlan(ctx context.Context, p *domain.Plan, post *domain.Post) (map[string]int64, error) {
	if p.Rule != domain.RulePopulation {
		return nil, nil
	}
	const field = "funding_plan.population_shares.epci_funders"
	if len(p.EPCIFunders) == 0 {
		sirens, err := s.dir.NetworkEPCIs(ctx, post.Network)
		if err != nil {
			return nil, directoryError(err, "post.network", "networks/"+post.Network+" is no longer a network of the directory")
		}
		bySIREN, err := s.repo.FundersByEPCI(ctx, sirens)
		if err != nil {
			return nil, err
		}
		var missing []string
		for _, siren := range sirens {
			f, ok := bySIREN[siren]
			if !ok {
				missing = append(missing, "epcis/"+siren)
				continue
			}
			p.EPCIFunders = append(p.EPCIFunders, f.ID)
		}
		if len(missing) > 0 {
			return nil, validation.Field(field, fmt.Sprintf("networks/%s covers %v, which have no funder yet: create them, or list epci_funders", post.Network, missing))
		}
	}
	pops := map[string]int64{}
	for _, id := range p.EPCIFunders {
		f, err := s.repo.GetFunder(ctx, id)
		if errors.Is(err, domain.ErrNotFound) {
			return nil, validation.Field(field, "funders/"+id+" does not exist")
		}
		if err != nil {
			return nil, err
		}
		if f.Kind != domain.KindEPCI {
			return nil, validation.Field(field, fmt.Sprintf("funders/%s is of kind %s, not EPCI", id, f.Kind))
		}
		info, err := s.dir.EPCI(ctx, f.EPCI)
		if err != nil {
			return nil, directoryError(err, field, "epcis/"+f.EPCI+" of funders/"+id+" is no longer in the referential")
		}
		pops[id] = info.Population
	}
	return pops, nil
}

// planFunders lists the ids of the funders a plan names.
func planFunders(p *domain.Plan) []string {
	var ids []string
	if p.StateFunder != "" {
		ids = append(ids, p.StateFunder)
	}
	for _, sh := range p.Shares {
		ids = append(ids, sh.Funder)
	}
	if p.DepartementFunder != "" {
		ids = append(ids, p.DepartementFunder)
	}
	return append(ids, p.EPCIFunders...)
}

// noState stands for the State in the allocation when a plan gives it no share; it cannot clash
// with a funder id.
const noState = "(no state share)"

// computePlan checks the funders a plan names (they exist, with the right kinds) and computes the
// contributions, which add up exactly to the annual cost.
func computePlan(p *domain.Plan, funders map[string]*domain.Funder, pops map[string]int64) error {
	var errs validation.Error
	kindOf := func(field, id string, want domain.FunderKind) {
		f, ok := funders[id]
		switch {
		case !ok:
			errs.Add(field, "funders/"+id+" does not exist")
		case want != "" && f.Kind != want:
			errs.Add(field, fmt.Sprintf("funders/%s is of kind %s; %s is wanted", id, f.Kind, want))
		}
	}
	state := p.StateFunder
	if p.StateShareBP == 0 {
		p.StateFunder = ""
		state = noState
	} else {
		kindOf("funding_plan.state_funder", state, domain.KindState)
	}
	var weights []domain.Weight
	var err error
	switch p.Rule {
	case domain.RuleExplicit:
		for _, sh := range p.Shares {
			kindOf("funding_plan.explicit_shares.shares", sh.Funder, "")
		}
		if errs.Err() != nil {
			return errs.Err()
		}
		weights, err = domain.ExplicitWeights(state, p.StateShareBP, p.Shares)
		if err != nil {
			return validation.Field("funding_plan.explicit_shares.shares", err.Error())
		}
	case domain.RulePopulation:
		kindOf("funding_plan.population_shares.departement_funder", p.DepartementFunder, domain.KindDepartement)
		epcis := make([]domain.PopulationShare, 0, len(p.EPCIFunders))
		for _, id := range p.EPCIFunders {
			kindOf("funding_plan.population_shares.epci_funders", id, domain.KindEPCI)
			epcis = append(epcis, domain.PopulationShare{Funder: id, Population: pops[id]})
		}
		if errs.Err() != nil {
			return errs.Err()
		}
		weights, err = domain.PopulationWeights(state, p.StateShareBP, p.DepartementFunder, p.DepartementShareBP, epcis)
		if err != nil {
			return validation.Field("funding_plan.population_shares", err.Error())
		}
	}
	// Without a State share the allocation still wants a name for its zero weight: drop it.
	weights = slices.DeleteFunc(weights, func(w domain.Weight) bool { return w.Funder == noState })
	parts, err := domain.Split(p.AnnualCostCents, weights)
	if err != nil {
		return validation.Field("funding_plan", err.Error())
	}
	p.Contributions = p.Contributions[:0]
	for _, part := range parts {
		p.Contributions = append(p.Contributions, domain.PlannedContribution{
			Funder: part.Funder, Kind: funders[part.Funder].Kind, AmountCents: part.Cents,
		})
	}
	return nil
}

// GetPlan returns one plan.
func (s *Service) GetPlan(ctx context.Context, post string, year int32) (*domain.Plan, error) {
	p, err := s.repo.GetPlan(ctx, post, year)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", domain.PlanName(post, year), err)
	}
	return p, nil
}

// ListPlans returns one page of plans, by post then year.
func (s *Service) ListPlans(ctx context.Context, q domain.Query) (Page[*domain.Plan], error) {
	return page(q, func(q domain.Query) ([]*domain.Plan, int, error) { return s.repo.ListPlans(ctx, q) },
		func(p *domain.Plan) string { return fmt.Sprintf("%s/%d", p.Post, p.Year) })
}

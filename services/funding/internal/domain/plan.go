package domain

import (
	"fmt"
	"slices"

	"github.com/vif71/vif/platform/validation"
)

// A plan's rules: its shape (CheckShape: year, cost, the State's share and the remainder rule),
// the State's default share (SetStateShare), the funders it names and their kinds, and the split
// of the cost to the cent (Compute, through the allocation of allocation.go). It may be revised
// until its agreement is signed (CheckRevisable).

// SetStateShare sets the State's share from what a request gave: given, or DefaultStateShareBP
// (33 %) when it gave none.
func (p *Plan) SetStateShare(given *int32) {
	p.StateShareBP = DefaultStateShareBP
	if given != nil {
		p.StateShareBP = *given
	}
}

// CheckShape checks what needs no lookup: the year, the cost, the State's share and its funder,
// and that the remainder rule names what it needs.
func (p *Plan) CheckShape() error {
	var errs validation.Error
	if p.Year < 2000 || p.Year > 2100 {
		errs.Add("year", "must be between 2000 and 2100")
	}
	if p.AnnualCostCents <= 0 {
		errs.Add("funding_plan.annual_cost_cents", "must be positive (euro cents)")
	}
	if p.StateShareBP < 0 || p.StateShareBP > FullBP {
		errs.Add("funding_plan.state_share_bp", "must be between 0 and 10000 basis points")
	}
	if p.StateShareBP > 0 && p.StateFunder == "" {
		errs.Add("funding_plan.state_funder", "is required when the State's share is not zero: funders/{funder} of kind STATE")
	}
	switch p.Rule {
	case RuleExplicit:
		if len(p.Shares) == 0 {
			errs.Add("funding_plan.explicit_shares.shares", "at least one share is required")
		}
	case RulePopulation:
		errs.Require("funding_plan.population_shares.departement_funder", p.DepartementFunder, "is required: funders/{funder} of kind DEPARTEMENT")
	default:
		errs.Add("funding_plan.remainder_rule", "is required: explicit_shares or population_shares")
	}
	return errs.Err()
}

// Apply changes the fields of PlanFields that mask names to their value in patch. A remainder
// rule replaces the other one only when patch carries it.
func (p *Plan) Apply(patch *Plan, mask []string) {
	for _, f := range mask {
		switch f {
		case "annual_cost_cents":
			p.AnnualCostCents = patch.AnnualCostCents
		case "state_share_bp":
			p.StateShareBP = patch.StateShareBP
		case "state_funder":
			p.StateFunder = patch.StateFunder
		case "explicit_shares":
			if patch.Rule == RuleExplicit {
				p.Rule, p.Shares = RuleExplicit, slices.Clone(patch.Shares)
				p.DepartementFunder, p.DepartementShareBP, p.EPCIFunders = "", 0, nil
			}
		case "population_shares":
			if patch.Rule == RulePopulation {
				p.Rule, p.Shares = RulePopulation, nil
				p.DepartementFunder, p.DepartementShareBP = patch.DepartementFunder, patch.DepartementShareBP
				p.EPCIFunders = slices.Clone(patch.EPCIFunders)
			}
		}
	}
}

// CheckRevisable refuses to revise a plan whose agreement is in state: once signed, it is frozen.
func (p *Plan) CheckRevisable(state AgreementState) error {
	if state.Committed() {
		return fmt.Errorf("its agreement is %s; a signed plan cannot be revised: %w", state, ErrWrongState)
	}
	return nil
}

// Funders lists the ids of the funders a plan names.
func (p *Plan) Funders() []string {
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

// Compute checks the funders a plan names (funders holds them by id: each must exist, with the
// kind its place wants) and computes the contributions, which add up exactly to the annual cost
// (Split). pops gives the population of each EPCI funder of a population rule.
func (p *Plan) Compute(funders map[string]*Funder, pops map[string]int64) error {
	state := p.StateFunder
	if p.StateShareBP == 0 {
		p.StateFunder = ""
		state = noState
	}
	weights, err := p.weights(state, funders, pops)
	if err != nil {
		return err
	}
	// Without a State share the allocation still wants a name for its zero weight: drop it.
	weights = slices.DeleteFunc(weights, func(w Weight) bool { return w.Funder == noState })
	parts, err := Split(p.AnnualCostCents, weights)
	if err != nil {
		return validation.Field("funding_plan", err.Error())
	}
	p.Contributions = p.Contributions[:0]
	for _, part := range parts {
		p.Contributions = append(p.Contributions, PlannedContribution{
			Funder: part.Funder, Kind: funders[part.Funder].Kind, AmountCents: part.Cents,
		})
	}
	return nil
}

// weights checks the kinds of the funders of p and gives their weights under its rule, the State
// named state.
func (p *Plan) weights(state string, funders map[string]*Funder, pops map[string]int64) ([]Weight, error) {
	var errs validation.Error
	kindOf := func(field, id string, want FunderKind) {
		f, ok := funders[id]
		switch {
		case !ok:
			errs.Add(field, "funders/"+id+" does not exist")
		case want != "" && f.Kind != want:
			errs.Add(field, fmt.Sprintf("funders/%s is of kind %s; %s is wanted", id, f.Kind, want))
		}
	}
	if state != noState {
		kindOf("funding_plan.state_funder", state, KindState)
	}
	switch p.Rule {
	case RuleExplicit:
		for _, sh := range p.Shares {
			kindOf("funding_plan.explicit_shares.shares", sh.Funder, "")
		}
		if errs.Err() != nil {
			return nil, errs.Err()
		}
		weights, err := ExplicitWeights(state, p.StateShareBP, p.Shares)
		if err != nil {
			return nil, validation.Field("funding_plan.explicit_shares.shares", err.Error())
		}
		return weights, nil
	case RulePopulation:
		kindOf("funding_plan.population_shares.departement_funder", p.DepartementFunder, KindDepartement)
		epcis := make([]PopulationShare, 0, len(p.EPCIFunders))
		for _, id := range p.EPCIFunders {
			kindOf("funding_plan.population_shares.epci_funders", id, KindEPCI)
			epcis = append(epcis, PopulationShare{Funder: id, Population: pops[id]})
		}
		if errs.Err() != nil {
			return nil, errs.Err()
		}
		weights, err := PopulationWeights(state, p.StateShareBP, p.DepartementFunder, p.DepartementShareBP, epcis)
		if err != nil {
			return nil, validation.Field("funding_plan.population_shares", err.Error())
		}
		return weights, nil
	}
	return nil, nil // CheckShape refuses a plan without a rule; Split then finds no weights
}

package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// preparePlan resolves, with the directory, what the plan's rule needs: for a population split
// without listed EPCI funders, the funders of the EPCIs of the post's network; and the population
// of every EPCI funder. It reads outside any transaction.
func (s *Service) preparePlan(ctx context.Context, p *domain.Plan, post *domain.Post) (map[string]int64, error) {
	if p.Rule != domain.RulePopulation {
		return nil, nil
	}
	if len(p.EPCIFunders) == 0 {
		if err := s.networkEPCIFunders(ctx, p, post); err != nil {
			return nil, err
		}
	}
	pops := map[string]int64{}
	for _, id := range p.EPCIFunders {
		f, err := s.repo.GetFunder(ctx, id)
		if errors.Is(err, domain.ErrNotFound) {
			return nil, validation.Field(epciFundersField, "funders/"+id+" does not exist")
		}
		if err != nil {
			return nil, err
		}
		if f.Kind != domain.KindEPCI {
			return nil, validation.Field(epciFundersField, fmt.Sprintf("funders/%s is of kind %s, not EPCI", id, f.Kind))
		}
		info, err := s.dir.EPCI(ctx, f.EPCI)
		if err != nil {
			return nil, directoryError(err, epciFundersField, "epcis/"+f.EPCI+" of funders/"+id+" is no longer in the referential")
		}
		pops[id] = info.Population
	}
	return pops, nil
}

const epciFundersField = "funding_plan.population_shares.epci_funders"

// networkEPCIFunders lists in p the funders of the EPCIs of the post's network; every one must
// have a funder.
func (s *Service) networkEPCIFunders(ctx context.Context, p *domain.Plan, post *domain.Post) error {
	sirens, err := s.dir.NetworkEPCIs(ctx, post.Network)
	if err != nil {
		return directoryError(err, "post.network", "networks/"+post.Network+" is no longer a network of the directory")
	}
	bySIREN, err := s.repo.FundersByEPCI(ctx, sirens)
	if err != nil {
		return err
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
		return validation.Field(epciFundersField, fmt.Sprintf("networks/%s covers %v, which have no funder yet: create them, or list epci_funders", post.Network, missing))
	}
	return nil
}

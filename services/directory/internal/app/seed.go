package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/services/directory/internal/domain"
)

// seedName marks the seed in the database so a restart does not add it again, nor bring back
// an organisation an administrator deleted since.
const seedName = "directory/organisations/v1"

// SeedOrganisation is one organisation of the default data set.
type SeedOrganisation struct {
	ID           string
	DisplayName  string
	Kind         domain.OrganisationKind
	Commune      string
	Illustrative bool
}

// Seed creates the organisations of the default data set once per database. Each create is
// idempotent (its idempotency key derives from the organisation id), so a seed interrupted half-way
// completes on the next start without duplicates. It reports whether it created anything.
func (s *Service) Seed(ctx context.Context, orgs []SeedOrganisation) (bool, error) {
	done, err := s.repo.Seeded(ctx, seedName)
	if err != nil || done {
		return false, err
	}
	for _, so := range orgs {
		o := domain.Organisation{
			ID: so.ID, DisplayName: so.DisplayName, Kind: so.Kind, Commune: so.Commune,
			Illustrative: so.Illustrative,
		}
		if _, err := s.CreateOrganisation(idempotency.Internal(ctx, "seed", seedName+"/"+so.ID), o); err != nil {
			return false, fmt.Errorf("seed: %w", err)
		}
	}
	return true, s.repo.MarkSeeded(ctx, seedName, s.now().UTC())
}

package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

// ProposeCession offers a retired vehicle to a beneficiary. The beneficiary is checked against
// the directory first (an unreachable directory stops everything); then, in one transaction,
// the vehicle is reserved and the cession created (domain.Cession.Propose). A vehicle has at most
// one open cession: of two concurrent proposals, one wins and the other gets ErrVehicleTaken or
// ErrWrongState.
func (s *Service) ProposeCession(ctx context.Context, c domain.Cession, date domain.Date) (*domain.Cession, error) {
	if err := s.newID(&c.ID, "c-", "cession_id"); err != nil {
		return nil, err
	}
	if date == "" {
		date = s.today()
	}
	if err := c.CheckProposal(date); err != nil {
		return nil, err
	}
	if err := s.checkBeneficiary(ctx, &c); err != nil {
		return nil, err
	}
	now := s.now()
	c.State, c.CreateTime, c.UpdateTime, c.Revision = domain.Proposed, now, now, 1
	created, _, err := s.repo.ProposeCession(ctx, &c, func(v *domain.Vehicle, open string) ([]*domain.Event, error) {
		if err := c.Propose(v, open, date); err != nil {
			return nil, err
		}
		v.Revision++
		v.UpdateTime = now
		return []*domain.Event{s.cessionEvent(domain.CessionProposed, &c, ""), s.vehicleEvent(domain.VehicleReserved, v, domain.Retired)}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("propose %s: %w", c.Name(), err)
	}
	return created, nil
}

// checkBeneficiary asks the directory the kind of c's beneficiary, which must exist, not be
// deleted, and be of a kind that may receive a vehicle.
func (s *Service) checkBeneficiary(ctx context.Context, c *domain.Cession) error {
	kind, err := s.dir.OrganisationKind(ctx, c.Beneficiary)
	if errors.Is(err, domain.ErrNotFound) {
		return validation.Field("cession.beneficiary", "organisations/"+c.Beneficiary+" does not exist in the directory")
	}
	if errors.Is(err, resource.ErrOrganisationDeleted) {
		return fmt.Errorf("cession.beneficiary: %w", err)
	}
	if err != nil {
		return err
	}
	return c.CheckBeneficiaryKind(kind)
}

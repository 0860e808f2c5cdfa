package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vif71/vif/platform/frid"
	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// CreateFunder checks a funder against the directory (an EPCI by SIREN, a commune by INSEE code)
// and stores it with its event.
func (s *Service) CreateFunder(ctx context.Context, f domain.Funder) (*domain.Funder, error) {
	if f.ID == "" {
		f.ID = "f-" + s.ids()
	} else if !domain.ValidID(f.ID) {
		return nil, validation.Field("funder_id", "must be lowercase letters, digits and hyphens, at most 63")
	}
	if err := s.validateFunder(ctx, &f, true); err != nil {
		return nil, err
	}
	now := s.now()
	f.CreateTime, f.UpdateTime, f.Revision = now, now, 1
	ev := s.newEvent(domain.FunderCreated)
	ev.Funder = &f
	created, _, err := s.repo.CreateFunder(ctx, &f, ev)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", f.Name(), err)
	}
	return created, nil
}

// validateFunder checks f's rules; with referential set it also asks the directory about its
// EPCI or commune (kind, EPCI and commune are immutable, so updates skip that).
func (s *Service) validateFunder(ctx context.Context, f *domain.Funder, referential bool) error {
	var errs validation.Error
	f.DisplayName = strings.TrimSpace(f.DisplayName)
	if f.DisplayName == "" {
		errs.Add("funder.display_name", "is required")
	}
	if !f.Kind.Valid() {
		errs.Add("funder.kind", "is required: one of the FUNDER_KIND_ values other than UNSPECIFIED")
	}
	if f.SIRET != "" && !frid.ValidSIRET(f.SIRET) {
		errs.Add("funder.siret", fmt.Sprintf("%q is not a valid SIRET: 14 digits with a valid Luhn key", f.SIRET))
	}
	switch {
	case f.Kind == domain.KindEPCI && f.EPCI == "":
		errs.Add("funder.epci", "is required for an EPCI funder: epcis/{siren}")
	case f.Kind != domain.KindEPCI && f.EPCI != "":
		errs.Add("funder.epci", "is only for EPCI funders")
	case f.EPCI != "" && !frid.ValidSIREN(f.EPCI):
		errs.Add("funder.epci", fmt.Sprintf("%q is not a valid SIREN", f.EPCI))
	}
	switch {
	case f.Kind == domain.KindCommune && f.Commune == "":
		errs.Add("funder.commune", "is required for a commune funder: communes/{insee_code}")
	case f.Kind != domain.KindCommune && f.Commune != "":
		errs.Add("funder.commune", "is only for commune funders")
	}
	if err := errs.Err(); err != nil || !referential {
		return err
	}
	if f.EPCI != "" {
		if _, err := s.dir.EPCI(ctx, f.EPCI); err != nil {
			return directoryError(err, "funder.epci", "epcis/"+f.EPCI+" is not an EPCI of the département's referential")
		}
	}
	if err := s.checkFunderOrganisation(ctx, f.Organisation); err != nil {
		return err
	}
	if f.Commune != "" {
		ok, err := s.dir.CommuneExists(ctx, f.Commune)
		if err != nil {
			return directoryError(err, "funder.commune", "")
		}
		if !ok {
			return validation.Field("funder.commune", "communes/"+f.Commune+" is not a commune of the département's referential")
		}
	}
	return nil
}

// checkFunderOrganisation asks the directory about the organisation whose officers act for a
// funder (skipped when empty): it must exist.
func (s *Service) checkFunderOrganisation(ctx context.Context, organisation string) error {
	if organisation == "" {
		return nil
	}
	_, err := s.dir.OrganisationKind(ctx, organisation)
	return directoryError(err, "funder.organisation", "organisations/"+organisation+" does not exist in the directory")
}

// directoryError passes ErrDirectoryUnavailable on (nothing must be written on a guess), turns
// ErrNotFound into a violation of field, and says which field names a deleted organisation.
func directoryError(err error, field, notFound string) error {
	if notFound != "" && errors.Is(err, domain.ErrNotFound) {
		return validation.Field(field, notFound)
	}
	if errors.Is(err, domain.ErrOrganisationDeleted) {
		return fmt.Errorf("%s: %w", field, err)
	}
	return err
}

// UpdateFunder changes the display name, organisation or SIRET of a funder. A new organisation
// is checked against the directory before the transaction, so a slow directory never holds a
// lock.
func (s *Service) UpdateFunder(ctx context.Context, id string, patch domain.Funder, mask []string, etag string) (*domain.Funder, error) {
	if slices.Contains(mask, "organisation") {
		if err := s.checkFunderOrganisation(ctx, patch.Organisation); err != nil {
			return nil, err
		}
	}
	updated, err := s.repo.UpdateFunder(ctx, id, func(f *domain.Funder) (*domain.Event, error) {
		if err := domain.CheckEtag(etag, f.Etag()); err != nil {
			return nil, err
		}
		for _, field := range mask {
			switch field {
			case "display_name":
				f.DisplayName = patch.DisplayName
			case "organisation":
				f.Organisation = patch.Organisation
			case "siret":
				f.SIRET = patch.SIRET
			}
		}
		if err := s.validateFunder(ctx, f, false); err != nil {
			return nil, err
		}
		f.Revision++
		f.UpdateTime = s.now()
		ev := s.newEvent(domain.FunderUpdated)
		ev.Funder, ev.UpdateMask = f, mask
		return ev, nil
	})
	if err != nil {
		return nil, fmt.Errorf("update funders/%s: %w", id, err)
	}
	return updated, nil
}

// GetFunder returns one funder.
func (s *Service) GetFunder(ctx context.Context, id string) (*domain.Funder, error) {
	f, err := s.repo.GetFunder(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("funders/%s: %w", id, err)
	}
	return f, nil
}

// ListFunders returns one page of funders.
func (s *Service) ListFunders(ctx context.Context, q domain.Query) (Page[*domain.Funder], error) {
	return page(q, func(q domain.Query) ([]*domain.Funder, int, error) { return s.repo.ListFunders(ctx, q) },
		func(f *domain.Funder) string { return f.ID })
}

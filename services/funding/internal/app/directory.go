package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// What the use cases ask the directory before they write: each check names the request's field
// that refers to the directory, and an unreachable directory stops the write.

// checkFunderReferential asks the directory about a funder's EPCI, organisation and commune
// (each skipped when empty): they must exist in the département's referential.
func (s *Service) checkFunderReferential(ctx context.Context, f *domain.Funder) error {
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

// checkPostReferences asks the directory about a post's network and host (each skipped when
// empty): the network must exist, the host must be a police or gendarmerie organisation
// (domain.MayHost).
func (s *Service) checkPostReferences(ctx context.Context, network, host string) error {
	if network != "" {
		if _, err := s.dir.NetworkEPCIs(ctx, network); err != nil {
			return directoryError(err, "post.network", "networks/"+network+" is not a network of the directory")
		}
	}
	if host != "" {
		kind, err := s.dir.OrganisationKind(ctx, host)
		if err != nil {
			return directoryError(err, "post.host_organisation", "organisations/"+host+" does not exist in the directory")
		}
		if !domain.MayHost(kind) {
			return validation.Field("post.host_organisation", fmt.Sprintf("organisations/%s is of kind %s; an ISCG post is hosted by a police or gendarmerie organisation", host, kind))
		}
	}
	return nil
}

// directoryError passes ErrDirectoryUnavailable on (nothing must be written on a guess), turns
// ErrNotFound into a violation of field, and says which field names a deleted organisation.
func directoryError(err error, field, notFound string) error {
	if notFound != "" && errors.Is(err, domain.ErrNotFound) {
		return validation.Field(field, notFound)
	}
	if errors.Is(err, resource.ErrOrganisationDeleted) {
		return fmt.Errorf("%s: %w", field, err)
	}
	return err
}

// Package grpcapi serves the directory over gRPC: it translates between the API's protobuf
// messages and the domain, and nothing else. Protobuf types stop here.
package grpcapi

import (
	"context"
	"strconv"
	"strings"

	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/vif71/vif/platform/aip"
	"github.com/vif71/vif/platform/validation"
	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
	"github.com/vif71/vif/services/directory/internal/app"
	"github.com/vif71/vif/services/directory/internal/domain"
)

// Server implements directoryv1.DirectoryServiceServer.
type Server struct {
	directoryv1.UnimplementedDirectoryServiceServer
	app *app.Service
}

// NewServer returns the gRPC face of svc.
func NewServer(svc *app.Service) *Server { return &Server{app: svc} }

// GetNetwork implements directoryv1.DirectoryServiceServer.
func (s *Server) GetNetwork(_ context.Context, req *directoryv1.GetNetworkRequest) (*directoryv1.Network, error) {
	id, err := aip.ID(req.GetName(), "networks/", "name")
	if err != nil {
		return nil, err
	}
	n, err := s.app.GetNetwork(id)
	if err != nil {
		return nil, err
	}
	return networkToProto(n), nil
}

// ListNetworks implements directoryv1.DirectoryServiceServer.
func (s *Server) ListNetworks(_ context.Context, req *directoryv1.ListNetworksRequest) (*directoryv1.ListNetworksResponse, error) {
	list, err := aip.ParseList("ListNetworks", "", "", req.GetPageToken(), req.GetPageSize())
	if err != nil {
		return nil, err
	}
	page := s.app.ListNetworks(list.After, list.Size)
	out := aip.PageOf(list, page, networkToProto)
	return &directoryv1.ListNetworksResponse{Networks: out.Items, TotalSize: out.TotalSize, NextPageToken: out.NextPageToken}, nil
}

// GetCommune implements directoryv1.DirectoryServiceServer.
func (s *Server) GetCommune(_ context.Context, req *directoryv1.GetCommuneRequest) (*directoryv1.Commune, error) {
	code, err := aip.ID(req.GetName(), "communes/", "name")
	if err != nil {
		return nil, err
	}
	c, err := s.app.GetCommune(code)
	if err != nil {
		return nil, err
	}
	return communeToProto(c), nil
}

// ListCommunes implements directoryv1.DirectoryServiceServer.
func (s *Server) ListCommunes(_ context.Context, req *directoryv1.ListCommunesRequest) (*directoryv1.ListCommunesResponse, error) {
	list, err := aip.ParseList("ListCommunes", "", req.GetFilter(), req.GetPageToken(), req.GetPageSize(), "network", "epci", "postal_code")
	if err != nil {
		return nil, err
	}
	var q app.CommuneQuery
	var errs validation.Error
	if v, ok := list.Value("network"); ok {
		if q.Network, err = aip.ID(v, "networks/", "filter"); err != nil {
			errs.Add("filter", "network must be networks/{network}")
		}
	}
	if v, ok := list.Value("epci"); ok {
		if q.EPCI, err = aip.ID(v, "epcis/", "filter"); err != nil {
			errs.Add("filter", "epci must be epcis/{siren}")
		}
	}
	q.PostalCode, _ = list.Value("postal_code")
	if err := errs.Err(); err != nil {
		return nil, err
	}
	page := s.app.ListCommunes(q, list.After, list.Size)
	out := aip.PageOf(list, page, communeToProto)
	return &directoryv1.ListCommunesResponse{Communes: out.Items, TotalSize: out.TotalSize, NextPageToken: out.NextPageToken}, nil
}

// GetEpci implements directoryv1.DirectoryServiceServer.
func (s *Server) GetEpci(_ context.Context, req *directoryv1.GetEpciRequest) (*directoryv1.Epci, error) {
	siren, err := aip.ID(req.GetName(), "epcis/", "name")
	if err != nil {
		return nil, err
	}
	e, err := s.app.GetEPCI(siren)
	if err != nil {
		return nil, err
	}
	return epciToProto(e), nil
}

// ListEpcis implements directoryv1.DirectoryServiceServer.
func (s *Server) ListEpcis(_ context.Context, req *directoryv1.ListEpcisRequest) (*directoryv1.ListEpcisResponse, error) {
	list, err := aip.ParseList("ListEpcis", "", req.GetFilter(), req.GetPageToken(), req.GetPageSize(), "network")
	if err != nil {
		return nil, err
	}
	var network string
	if v, ok := list.Value("network"); ok {
		if network, err = aip.ID(v, "networks/", "filter"); err != nil {
			return nil, validation.Field("filter", "network must be networks/{network}")
		}
	}
	page := s.app.ListEPCIs(network, list.After, list.Size)
	out := aip.PageOf(list, page, epciToProto)
	return &directoryv1.ListEpcisResponse{Epcis: out.Items, TotalSize: out.TotalSize, NextPageToken: out.NextPageToken}, nil
}

// CreateOrganisation implements directoryv1.DirectoryServiceServer.
func (s *Server) CreateOrganisation(ctx context.Context, req *directoryv1.CreateOrganisationRequest) (*directoryv1.Organisation, error) {
	o := organisationFromProto(req.GetOrganisation())
	o.ID = req.GetOrganisationId()
	created, err := s.app.CreateOrganisation(ctx, o)
	if err != nil {
		return nil, err
	}
	return organisationToProto(created), nil
}

// GetOrganisation implements directoryv1.DirectoryServiceServer.
func (s *Server) GetOrganisation(ctx context.Context, req *directoryv1.GetOrganisationRequest) (*directoryv1.Organisation, error) {
	id, err := aip.ID(req.GetName(), "organisations/", "name")
	if err != nil {
		return nil, err
	}
	o, err := s.app.GetOrganisation(ctx, id)
	if err != nil {
		return nil, err
	}
	return organisationToProto(o), nil
}

// ListOrganisations implements directoryv1.DirectoryServiceServer.
func (s *Server) ListOrganisations(ctx context.Context, req *directoryv1.ListOrganisationsRequest) (*directoryv1.ListOrganisationsResponse, error) {
	// A page token belongs to one query: with or without the deleted organisations.
	scope := ""
	if req.GetShowDeleted() {
		scope = "show_deleted"
	}
	list, err := aip.ParseList("ListOrganisations", scope, req.GetFilter(), req.GetPageToken(), req.GetPageSize(), "kind", "commune", "siret")
	if err != nil {
		return nil, err
	}
	q := domain.OrganisationQuery{After: list.After, Limit: list.Size, ShowDeleted: req.GetShowDeleted()}
	var errs validation.Error
	if v, ok := list.Value("kind"); ok {
		q.Kind = domain.OrganisationKind(strings.TrimPrefix(v, kindPrefix))
		if !q.Kind.Valid() {
			errs.Add("filter", "kind must be one of the ORGANISATION_KIND_ values, got "+strconv.Quote(v))
		}
	}
	if v, ok := list.Value("commune"); ok {
		if q.Commune, err = aip.ID(v, "communes/", "filter"); err != nil {
			errs.Add("filter", "commune must be communes/{insee_code}")
		}
	}
	q.SIRET, _ = list.Value("siret")
	if err := errs.Err(); err != nil {
		return nil, err
	}
	page, err := s.app.ListOrganisations(ctx, q)
	if err != nil {
		return nil, err
	}
	out := aip.PageOf(list, page, organisationToProto)
	return &directoryv1.ListOrganisationsResponse{Organisations: out.Items, TotalSize: out.TotalSize, NextPageToken: out.NextPageToken}, nil
}

// UpdateOrganisation implements directoryv1.DirectoryServiceServer.
func (s *Server) UpdateOrganisation(ctx context.Context, req *directoryv1.UpdateOrganisationRequest) (*directoryv1.Organisation, error) {
	id, err := aip.ID(req.GetOrganisation().GetName(), "organisations/", "organisation.name")
	if err != nil {
		return nil, err
	}
	mask, err := aip.ResolveMask(req.GetUpdateMask(), req.GetOrganisation(), domain.OrganisationFields)
	if err != nil {
		return nil, err
	}
	o, err := s.app.UpdateOrganisation(ctx, id, organisationFromProto(req.GetOrganisation()), mask, req.GetOrganisation().GetEtag())
	if err != nil {
		return nil, err
	}
	return organisationToProto(o), nil
}

// DeleteOrganisation implements directoryv1.DirectoryServiceServer.
func (s *Server) DeleteOrganisation(ctx context.Context, req *directoryv1.DeleteOrganisationRequest) (*directoryv1.Organisation, error) {
	id, err := aip.ID(req.GetName(), "organisations/", "name")
	if err != nil {
		return nil, err
	}
	o, err := s.app.DeleteOrganisation(ctx, id, req.GetEtag())
	if err != nil {
		return nil, err
	}
	return organisationToProto(o), nil
}

// UndeleteOrganisation implements directoryv1.DirectoryServiceServer.
func (s *Server) UndeleteOrganisation(ctx context.Context, req *directoryv1.UndeleteOrganisationRequest) (*directoryv1.Organisation, error) {
	id, err := aip.ID(req.GetName(), "organisations/", "name")
	if err != nil {
		return nil, err
	}
	o, err := s.app.UndeleteOrganisation(ctx, id, req.GetEtag())
	if err != nil {
		return nil, err
	}
	return organisationToProto(o), nil
}

// CreateMember implements directoryv1.DirectoryServiceServer.
func (s *Server) CreateMember(ctx context.Context, req *directoryv1.CreateMemberRequest) (*directoryv1.Member, error) {
	network, err := aip.ID(req.GetParent(), "networks/", "parent")
	if err != nil {
		return nil, err
	}
	m := memberFromProto(req.GetMember())
	m.Network, m.ID = network, req.GetMemberId()
	created, err := s.app.CreateMember(ctx, actorFrom(ctx), m)
	if err != nil {
		return nil, err
	}
	return memberToProto(created), nil
}

// GetMember implements directoryv1.DirectoryServiceServer.
func (s *Server) GetMember(ctx context.Context, req *directoryv1.GetMemberRequest) (*directoryv1.Member, error) {
	network, id, err := aip.Child(req.GetName(), "networks", "members", "name")
	if err != nil {
		return nil, err
	}
	m, err := s.app.GetMember(ctx, actorFrom(ctx), network, id)
	if err != nil {
		return nil, err
	}
	return memberToProto(m), nil
}

// ListMembers implements directoryv1.DirectoryServiceServer.
func (s *Server) ListMembers(ctx context.Context, req *directoryv1.ListMembersRequest) (*directoryv1.ListMembersResponse, error) {
	network, err := aip.ID(req.GetParent(), "networks/", "parent")
	if err != nil {
		return nil, err
	}
	if network == "-" {
		network = ""
	}
	list, err := aip.ParseList("ListMembers", req.GetParent(), req.GetFilter(), req.GetPageToken(), req.GetPageSize(), "organisation", "domain")
	if err != nil {
		return nil, err
	}
	q := domain.MemberQuery{Network: network, After: list.After, Limit: list.Size}
	var errs validation.Error
	if v, ok := list.Value("organisation"); ok {
		if q.Organisation, err = aip.ID(v, "organisations/", "filter"); err != nil {
			errs.Add("filter", "organisation must be organisations/{organisation}")
		}
	}
	if v, ok := list.Value("domain"); ok {
		q.Domain = domain.Domain(strings.TrimPrefix(v, domainPrefix))
		if !q.Domain.Valid() {
			errs.Add("filter", "domain must be one of the DOMAIN_ values, got "+strconv.Quote(v))
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	page, err := s.app.ListMembers(ctx, actorFrom(ctx), q)
	if err != nil {
		return nil, err
	}
	out := aip.PageOf(list, page, memberToProto)
	return &directoryv1.ListMembersResponse{Members: out.Items, TotalSize: out.TotalSize, NextPageToken: out.NextPageToken}, nil
}

// UpdateMember implements directoryv1.DirectoryServiceServer.
func (s *Server) UpdateMember(ctx context.Context, req *directoryv1.UpdateMemberRequest) (*directoryv1.Member, error) {
	network, id, err := aip.Child(req.GetMember().GetName(), "networks", "members", "member.name")
	if err != nil {
		return nil, err
	}
	mask, err := aip.ResolveMask(req.GetUpdateMask(), req.GetMember(), domain.MemberFields)
	if err != nil {
		return nil, err
	}
	m, err := s.app.UpdateMember(ctx, actorFrom(ctx), network, id, memberFromProto(req.GetMember()), mask, req.GetMember().GetEtag())
	if err != nil {
		return nil, err
	}
	return memberToProto(m), nil
}

// DeleteMember implements directoryv1.DirectoryServiceServer.
func (s *Server) DeleteMember(ctx context.Context, req *directoryv1.DeleteMemberRequest) (*emptypb.Empty, error) {
	network, id, err := aip.Child(req.GetName(), "networks", "members", "name")
	if err != nil {
		return nil, err
	}
	if err := s.app.DeleteMember(ctx, actorFrom(ctx), network, id, req.GetEtag()); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

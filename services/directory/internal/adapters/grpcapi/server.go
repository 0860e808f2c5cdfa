// Package grpcapi serves the directory over gRPC: it translates between the API's protobuf
// messages and the domain, and nothing else. Protobuf types stop here.
package grpcapi

import (
	"context"
	"strings"

	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/filter"
	"github.com/vif71/vif/platform/pagetoken"
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

func actorFrom(ctx context.Context) domain.Actor {
	c, ok := auth.FromContext(ctx)
	if !ok {
		return domain.Actor{}
	}
	a := domain.Actor{Subject: c.Subject, Admin: c.Role == auth.RoleAdmin}
	if c.Role == auth.RoleCoordinator {
		a.Network = c.Network
	}
	return a
}

// listQuery decodes a list request's page token against the query it must belong to and parses
// its filter.
func listQuery(method, parent, expr, token string, fields ...string) (after string, conds []filter.Condition, err error) {
	conds, err = filter.Parse(expr, fields...)
	if err != nil {
		return "", nil, validation.Field("filter", err.Error())
	}
	after, err = pagetoken.Decode(token, pagetoken.Query(method, parent, expr))
	if err != nil {
		return "", nil, validation.Field("page_token", err.Error())
	}
	return after, conds, nil
}

func nextToken(method, parent, expr, after string) string {
	if after == "" {
		return ""
	}
	return pagetoken.Encode(after, pagetoken.Query(method, parent, expr))
}

// GetNetwork implements directoryv1.DirectoryServiceServer.
func (s *Server) GetNetwork(_ context.Context, req *directoryv1.GetNetworkRequest) (*directoryv1.Network, error) {
	id, err := lastSegment(req.GetName(), "networks/", "name")
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
	after, _, err := listQuery("ListNetworks", "", "", req.GetPageToken())
	if err != nil {
		return nil, err
	}
	page := s.app.ListNetworks(after, pagetoken.Size(req.GetPageSize()))
	resp := &directoryv1.ListNetworksResponse{
		TotalSize:     int32(page.Total),
		NextPageToken: nextToken("ListNetworks", "", "", page.NextAfter),
	}
	for _, n := range page.Items {
		resp.Networks = append(resp.Networks, networkToProto(n))
	}
	return resp, nil
}

// GetCommune implements directoryv1.DirectoryServiceServer.
func (s *Server) GetCommune(_ context.Context, req *directoryv1.GetCommuneRequest) (*directoryv1.Commune, error) {
	code, err := lastSegment(req.GetName(), "communes/", "name")
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
	after, conds, err := listQuery("ListCommunes", "", req.GetFilter(), req.GetPageToken(), "network", "epci", "postal_code")
	if err != nil {
		return nil, err
	}
	var q app.CommuneQuery
	var errs validation.Error
	if v, ok := filter.Value(conds, "network"); ok {
		if q.Network, err = lastSegment(v, "networks/", "filter"); err != nil {
			errs.Add("filter", "network must be networks/{network}")
		}
	}
	if v, ok := filter.Value(conds, "epci"); ok {
		if q.EPCI, err = lastSegment(v, "epcis/", "filter"); err != nil {
			errs.Add("filter", "epci must be epcis/{siren}")
		}
	}
	q.PostalCode, _ = filter.Value(conds, "postal_code")
	if err := errs.Err(); err != nil {
		return nil, err
	}
	page := s.app.ListCommunes(q, after, pagetoken.Size(req.GetPageSize()))
	resp := &directoryv1.ListCommunesResponse{
		TotalSize:     int32(page.Total),
		NextPageToken: nextToken("ListCommunes", "", req.GetFilter(), page.NextAfter),
	}
	for _, c := range page.Items {
		resp.Communes = append(resp.Communes, communeToProto(c))
	}
	return resp, nil
}

// GetEpci implements directoryv1.DirectoryServiceServer.
func (s *Server) GetEpci(_ context.Context, req *directoryv1.GetEpciRequest) (*directoryv1.Epci, error) {
	siren, err := lastSegment(req.GetName(), "epcis/", "name")
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
	after, conds, err := listQuery("ListEpcis", "", req.GetFilter(), req.GetPageToken(), "network")
	if err != nil {
		return nil, err
	}
	var network string
	if v, ok := filter.Value(conds, "network"); ok {
		if network, err = lastSegment(v, "networks/", "filter"); err != nil {
			return nil, validation.Field("filter", "network must be networks/{network}")
		}
	}
	page := s.app.ListEPCIs(network, after, pagetoken.Size(req.GetPageSize()))
	resp := &directoryv1.ListEpcisResponse{
		TotalSize:     int32(page.Total),
		NextPageToken: nextToken("ListEpcis", "", req.GetFilter(), page.NextAfter),
	}
	for _, e := range page.Items {
		resp.Epcis = append(resp.Epcis, epciToProto(e))
	}
	return resp, nil
}

// CreateOrganisation implements directoryv1.DirectoryServiceServer.
func (s *Server) CreateOrganisation(ctx context.Context, req *directoryv1.CreateOrganisationRequest) (*directoryv1.Organisation, error) {
	o := organisationFromProto(req.GetOrganisation())
	o.ID = req.GetOrganisationId()
	created, err := s.app.CreateOrganisation(ctx, o, req.GetRequestId())
	if err != nil {
		return nil, err
	}
	return organisationToProto(created), nil
}

// GetOrganisation implements directoryv1.DirectoryServiceServer.
func (s *Server) GetOrganisation(ctx context.Context, req *directoryv1.GetOrganisationRequest) (*directoryv1.Organisation, error) {
	id, err := lastSegment(req.GetName(), "organisations/", "name")
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
	after, conds, err := listQuery("ListOrganisations", "", req.GetFilter(), req.GetPageToken(), "kind", "commune", "siret")
	if err != nil {
		return nil, err
	}
	q := domain.OrganisationQuery{After: after, Limit: pagetoken.Size(req.GetPageSize())}
	var errs validation.Error
	if v, ok := filter.Value(conds, "kind"); ok {
		q.Kind = domain.OrganisationKind(strings.TrimPrefix(v, kindPrefix))
		if !q.Kind.Valid() {
			errs.Add("filter", "kind must be one of the ORGANISATION_KIND_ values, got "+quote(v))
		}
	}
	if v, ok := filter.Value(conds, "commune"); ok {
		if q.Commune, err = lastSegment(v, "communes/", "filter"); err != nil {
			errs.Add("filter", "commune must be communes/{insee_code}")
		}
	}
	q.SIRET, _ = filter.Value(conds, "siret")
	if err := errs.Err(); err != nil {
		return nil, err
	}
	page, err := s.app.ListOrganisations(ctx, q)
	if err != nil {
		return nil, err
	}
	resp := &directoryv1.ListOrganisationsResponse{
		TotalSize:     int32(page.Total),
		NextPageToken: nextToken("ListOrganisations", "", req.GetFilter(), page.NextAfter),
	}
	for _, o := range page.Items {
		resp.Organisations = append(resp.Organisations, organisationToProto(o))
	}
	return resp, nil
}

// UpdateOrganisation implements directoryv1.DirectoryServiceServer.
func (s *Server) UpdateOrganisation(ctx context.Context, req *directoryv1.UpdateOrganisationRequest) (*directoryv1.Organisation, error) {
	id, err := lastSegment(req.GetOrganisation().GetName(), "organisations/", "organisation.name")
	if err != nil {
		return nil, err
	}
	mask, err := resolveMask(req.GetUpdateMask(), req.GetOrganisation(), domain.OrganisationFields)
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
func (s *Server) DeleteOrganisation(ctx context.Context, req *directoryv1.DeleteOrganisationRequest) (*emptypb.Empty, error) {
	id, err := lastSegment(req.GetName(), "organisations/", "name")
	if err != nil {
		return nil, err
	}
	if err := s.app.DeleteOrganisation(ctx, id, req.GetEtag()); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

// CreateMember implements directoryv1.DirectoryServiceServer.
func (s *Server) CreateMember(ctx context.Context, req *directoryv1.CreateMemberRequest) (*directoryv1.Member, error) {
	network, err := lastSegment(req.GetParent(), "networks/", "parent")
	if err != nil {
		return nil, err
	}
	m := memberFromProto(req.GetMember())
	m.Network, m.ID = network, req.GetMemberId()
	created, err := s.app.CreateMember(ctx, actorFrom(ctx), m, req.GetRequestId())
	if err != nil {
		return nil, err
	}
	return memberToProto(created), nil
}

// GetMember implements directoryv1.DirectoryServiceServer.
func (s *Server) GetMember(ctx context.Context, req *directoryv1.GetMemberRequest) (*directoryv1.Member, error) {
	network, id, err := memberName(req.GetName(), "name")
	if err != nil {
		return nil, err
	}
	m, err := s.app.GetMember(ctx, network, id)
	if err != nil {
		return nil, err
	}
	return memberToProto(m), nil
}

// ListMembers implements directoryv1.DirectoryServiceServer.
func (s *Server) ListMembers(ctx context.Context, req *directoryv1.ListMembersRequest) (*directoryv1.ListMembersResponse, error) {
	network, err := lastSegment(req.GetParent(), "networks/", "parent")
	if err != nil {
		return nil, err
	}
	if network == "-" {
		network = ""
	}
	after, conds, err := listQuery("ListMembers", req.GetParent(), req.GetFilter(), req.GetPageToken(), "organisation", "domain")
	if err != nil {
		return nil, err
	}
	q := domain.MemberQuery{Network: network, After: after, Limit: pagetoken.Size(req.GetPageSize())}
	var errs validation.Error
	if v, ok := filter.Value(conds, "organisation"); ok {
		if q.Organisation, err = lastSegment(v, "organisations/", "filter"); err != nil {
			errs.Add("filter", "organisation must be organisations/{organisation}")
		}
	}
	if v, ok := filter.Value(conds, "domain"); ok {
		q.Domain = domain.Domain(strings.TrimPrefix(v, domainPrefix))
		if !q.Domain.Valid() {
			errs.Add("filter", "domain must be one of the DOMAIN_ values, got "+quote(v))
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	page, err := s.app.ListMembers(ctx, q)
	if err != nil {
		return nil, err
	}
	resp := &directoryv1.ListMembersResponse{
		TotalSize:     int32(page.Total),
		NextPageToken: nextToken("ListMembers", req.GetParent(), req.GetFilter(), page.NextAfter),
	}
	for _, m := range page.Items {
		resp.Members = append(resp.Members, memberToProto(m))
	}
	return resp, nil
}

// UpdateMember implements directoryv1.DirectoryServiceServer.
func (s *Server) UpdateMember(ctx context.Context, req *directoryv1.UpdateMemberRequest) (*directoryv1.Member, error) {
	network, id, err := memberName(req.GetMember().GetName(), "member.name")
	if err != nil {
		return nil, err
	}
	mask, err := resolveMask(req.GetUpdateMask(), req.GetMember(), domain.MemberFields)
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
	network, id, err := memberName(req.GetName(), "name")
	if err != nil {
		return nil, err
	}
	if err := s.app.DeleteMember(ctx, actorFrom(ctx), network, id, req.GetEtag()); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

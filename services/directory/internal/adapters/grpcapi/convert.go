package grpcapi

import (
	"strings"

	"google.golang.org/protobuf/types/known/timestamppb"

	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
	"github.com/vif71/vif/services/directory/internal/domain"
	"github.com/vif71/vif/services/directory/internal/refdata"
)

const (
	kindPrefix   = "ORGANISATION_KIND_"
	domainPrefix = "DOMAIN_"
)

func networkToProto(n refdata.Network) *directoryv1.Network {
	epcis := make([]string, len(n.EPCIs))
	for i, siren := range n.EPCIs {
		epcis[i] = "epcis/" + siren
	}
	return &directoryv1.Network{
		Name:         "networks/" + n.ID,
		DisplayName:  n.DisplayName,
		Territory:    n.Territory,
		Epcis:        epcis,
		CommuneCount: int32(len(n.Communes)),
		Population:   n.Population,
		Illustrative: n.Illustrative,
	}
}

func communeToProto(c refdata.Commune) *directoryv1.Commune {
	return &directoryv1.Commune{
		Name:        "communes/" + c.Code,
		InseeCode:   c.Code,
		DisplayName: c.Name,
		PostalCodes: c.PostalCodes,
		Population:  c.Population,
		Epci:        "epcis/" + c.EPCI,
		Network:     "networks/" + c.Network,
	}
}

func epciToProto(e refdata.EPCI) *directoryv1.Epci {
	return &directoryv1.Epci{
		Name:         "epcis/" + e.SIREN,
		Siren:        e.SIREN,
		DisplayName:  e.Name,
		Type:         e.Type,
		Network:      "networks/" + e.Network,
		CommuneCount: int32(e.Communes71),
		Population:   e.Population71,
	}
}

func organisationToProto(o *domain.Organisation) *directoryv1.Organisation {
	p := &directoryv1.Organisation{
		Name:         o.Name(),
		DisplayName:  o.DisplayName,
		Kind:         directoryv1.OrganisationKind(directoryv1.OrganisationKind_value[kindPrefix+string(o.Kind)]),
		Siret:        o.SIRET,
		Address:      o.Address,
		Illustrative: o.Illustrative,
		Etag:         o.Etag(),
		CreateTime:   timestamppb.New(o.CreateTime),
		UpdateTime:   timestamppb.New(o.UpdateTime),
	}
	if o.Commune != "" {
		p.Commune = "communes/" + o.Commune
	}
	if o.Deleted() {
		p.DeleteTime = timestamppb.New(o.DeleteTime)
	}
	return p
}

// organisationFromProto reads the writable fields; protovalidate has already checked their form.
func organisationFromProto(p *directoryv1.Organisation) domain.Organisation {
	o := domain.Organisation{
		DisplayName: p.GetDisplayName(),
		SIRET:       p.GetSiret(),
		Commune:     strings.TrimPrefix(p.GetCommune(), "communes/"),
		Address:     strings.TrimSpace(p.GetAddress()),
	}
	if k := p.GetKind(); k != directoryv1.OrganisationKind_ORGANISATION_KIND_UNSPECIFIED {
		o.Kind = domain.OrganisationKind(strings.TrimPrefix(k.String(), kindPrefix))
	}
	return o
}

func memberToProto(m *domain.Member) *directoryv1.Member {
	domains := make([]directoryv1.Domain, len(m.Domains))
	for i, d := range m.Domains {
		domains[i] = directoryv1.Domain(directoryv1.Domain_value[domainPrefix+string(d)])
	}
	return &directoryv1.Member{
		Name:         m.Name(),
		Organisation: "organisations/" + m.Organisation,
		DisplayName:  m.DisplayName,
		Role:         m.Role,
		Domains:      domains,
		Email:        m.Email,
		Phone:        m.Phone,
		Etag:         m.Etag(),
		CreateTime:   timestamppb.New(m.CreateTime),
		UpdateTime:   timestamppb.New(m.UpdateTime),
	}
}

func memberFromProto(p *directoryv1.Member) domain.Member {
	m := domain.Member{
		Organisation: strings.TrimPrefix(p.GetOrganisation(), "organisations/"),
		DisplayName:  p.GetDisplayName(),
		Role:         strings.TrimSpace(p.GetRole()),
		Email:        p.GetEmail(),
		Phone:        p.GetPhone(),
	}
	for _, d := range p.GetDomains() {
		m.Domains = append(m.Domains, domain.Domain(strings.TrimPrefix(d.String(), domainPrefix)))
	}
	return m
}

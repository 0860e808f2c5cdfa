package grpcapi

import (
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/vif71/vif/platform/calendar/datepb"
	fundingv1 "github.com/vif71/vif/proto/gen/go/vif/funding/v1"
	"github.com/vif71/vif/services/funding/internal/domain"
)

const (
	kindPrefix  = "FUNDER_KIND_"
	statePrefix = "AGREEMENT_STATE_"
)

func kindToProto(k domain.FunderKind) fundingv1.FunderKind {
	return fundingv1.FunderKind(fundingv1.FunderKind_value[kindPrefix+string(k)])
}

func kindFromProto(k fundingv1.FunderKind) domain.FunderKind {
	if k == fundingv1.FunderKind_FUNDER_KIND_UNSPECIFIED {
		return ""
	}
	return domain.FunderKind(strings.TrimPrefix(k.String(), kindPrefix))
}

func stateToProto(s domain.AgreementState) fundingv1.AgreementState {
	return fundingv1.AgreementState(fundingv1.AgreementState_value[statePrefix+string(s)])
}

func ref(prefix, id string) string {
	if id == "" {
		return ""
	}
	return prefix + id
}

func funderToProto(f *domain.Funder) *fundingv1.Funder {
	return &fundingv1.Funder{
		Name:         f.Name(),
		DisplayName:  f.DisplayName,
		Kind:         kindToProto(f.Kind),
		Epci:         ref("epcis/", f.EPCI),
		Commune:      ref("communes/", f.Commune),
		Organisation: ref("organisations/", f.Organisation),
		Siret:        f.SIRET,
		Illustrative: f.Illustrative,
		Etag:         f.Etag(),
		CreateTime:   timestamppb.New(f.CreateTime),
		UpdateTime:   timestamppb.New(f.UpdateTime),
	}
}

func funderFromProto(p *fundingv1.Funder) domain.Funder {
	return domain.Funder{
		DisplayName:  p.GetDisplayName(),
		Kind:         kindFromProto(p.GetKind()),
		EPCI:         strings.TrimPrefix(p.GetEpci(), "epcis/"),
		Commune:      strings.TrimPrefix(p.GetCommune(), "communes/"),
		Organisation: strings.TrimPrefix(p.GetOrganisation(), "organisations/"),
		SIRET:        p.GetSiret(),
	}
}

func postToProto(p *domain.Post) *fundingv1.Post {
	return &fundingv1.Post{
		Name:             p.Name(),
		DisplayName:      p.DisplayName,
		Network:          ref("networks/", p.Network),
		HostOrganisation: ref("organisations/", p.HostOrganisation),
		FteThousandths:   p.FTEThousandths,
		StartDate:        datepb.ToProto(p.StartDate),
		EndDate:          datepb.ToProto(p.EndDate),
		Siret:            p.SIRET,
		Illustrative:     p.Illustrative,
		Etag:             p.Etag(),
		CreateTime:       timestamppb.New(p.CreateTime),
		UpdateTime:       timestamppb.New(p.UpdateTime),
	}
}

func postFromProto(p *fundingv1.Post) domain.Post {
	return domain.Post{
		DisplayName:      p.GetDisplayName(),
		Network:          strings.TrimPrefix(p.GetNetwork(), "networks/"),
		HostOrganisation: strings.TrimPrefix(p.GetHostOrganisation(), "organisations/"),
		FTEThousandths:   p.GetFteThousandths(),
		StartDate:        datepb.FromProto(p.GetStartDate()),
		EndDate:          datepb.FromProto(p.GetEndDate()),
		SIRET:            p.GetSiret(),
	}
}

func planToProto(p *domain.Plan) *fundingv1.FundingPlan {
	out := &fundingv1.FundingPlan{
		Name:            p.Name(),
		Year:            p.Year,
		AnnualCostCents: p.AnnualCostCents,
		StateShareBp:    proto.Int32(p.StateShareBP),
		StateFunder:     ref("funders/", p.StateFunder),
		Revision:        p.Revisions,
		Illustrative:    p.Illustrative,
		Etag:            p.Etag(),
		CreateTime:      timestamppb.New(p.CreateTime),
		UpdateTime:      timestamppb.New(p.UpdateTime),
	}
	switch p.Rule {
	case domain.RuleExplicit:
		shares := make([]*fundingv1.Share, len(p.Shares))
		for i, s := range p.Shares {
			shares[i] = &fundingv1.Share{Funder: "funders/" + s.Funder, ShareBp: s.BP}
		}
		out.RemainderRule = &fundingv1.FundingPlan_ExplicitShares{ExplicitShares: &fundingv1.ExplicitShares{Shares: shares}}
	case domain.RulePopulation:
		epcis := make([]string, len(p.EPCIFunders))
		for i, id := range p.EPCIFunders {
			epcis[i] = "funders/" + id
		}
		out.RemainderRule = &fundingv1.FundingPlan_PopulationShares{PopulationShares: &fundingv1.PopulationShares{
			DepartementFunder: ref("funders/", p.DepartementFunder), DepartementShareBp: p.DepartementShareBP, EpciFunders: epcis,
		}}
	}
	for _, c := range p.Contributions {
		out.Contributions = append(out.Contributions, &fundingv1.PlannedContribution{
			Funder: "funders/" + c.Funder, FunderKind: kindToProto(c.Kind), AmountCents: c.AmountCents,
		})
	}
	return out
}

// planFromProto reads the writable fields; the domain gives an unset State share its default
// (domain.Plan.SetStateShare).
func planFromProto(p *fundingv1.FundingPlan) domain.Plan {
	out := domain.Plan{
		AnnualCostCents: p.GetAnnualCostCents(),
		StateFunder:     strings.TrimPrefix(p.GetStateFunder(), "funders/"),
	}
	out.SetStateShare(p.StateShareBp)
	switch r := p.GetRemainderRule().(type) {
	case *fundingv1.FundingPlan_ExplicitShares:
		out.Rule = domain.RuleExplicit
		for _, s := range r.ExplicitShares.GetShares() {
			out.Shares = append(out.Shares, domain.Share{Funder: strings.TrimPrefix(s.GetFunder(), "funders/"), BP: s.GetShareBp()})
		}
	case *fundingv1.FundingPlan_PopulationShares:
		out.Rule = domain.RulePopulation
		out.DepartementFunder = strings.TrimPrefix(r.PopulationShares.GetDepartementFunder(), "funders/")
		out.DepartementShareBP = r.PopulationShares.GetDepartementShareBp()
		for _, id := range r.PopulationShares.GetEpciFunders() {
			out.EPCIFunders = append(out.EPCIFunders, strings.TrimPrefix(id, "funders/"))
		}
	}
	return out
}

func agreementToProto(a *domain.Agreement) *fundingv1.Agreement {
	return &fundingv1.Agreement{
		Name:       a.Name(),
		Plan:       domain.PlanName(a.Post, a.Year),
		State:      stateToProto(a.State),
		Reference:  a.Reference,
		Purpose:    a.Purpose,
		SignDate:   datepb.ToProto(a.SignDate),
		StartDate:  datepb.ToProto(a.StartDate),
		CloseDate:  datepb.ToProto(a.CloseDate),
		TotalCents: a.TotalCents,
		Etag:       a.Etag(),
		CreateTime: timestamppb.New(a.CreateTime),
		UpdateTime: timestamppb.New(a.UpdateTime),
	}
}

func contributionToProto(c *domain.Contribution) *fundingv1.Contribution {
	out := &fundingv1.Contribution{
		Name:             c.Name(),
		Funder:           "funders/" + c.Funder,
		Year:             c.Year,
		AmountCents:      c.AmountCents,
		CalledCents:      c.CalledCents,
		PaidCents:        c.PaidCents,
		DueCents:         c.DueCents(),
		OutstandingCents: c.OutstandingCents(),
		Etag:             c.Etag(),
		UpdateTime:       timestamppb.New(c.UpdateTime),
	}
	for _, p := range c.Payments {
		out.Payments = append(out.Payments, paymentToProto(p))
	}
	return out
}

func paymentToProto(p domain.Payment) *fundingv1.Payment {
	return &fundingv1.Payment{AmountCents: p.AmountCents, PaymentDate: datepb.ToProto(p.Date), Reference: p.Reference}
}

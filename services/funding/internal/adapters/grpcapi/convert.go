package grpcapi

import (
	"fmt"
	"strings"

	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

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

// dateToProto turns "YYYY-MM-DD" into a google.type.Date (nil when empty).
func dateToProto(d domain.Date) *date.Date {
	var y, m, day int32
	if _, err := fmt.Sscanf(string(d), "%04d-%02d-%02d", &y, &m, &day); err != nil {
		return nil
	}
	return &date.Date{Year: y, Month: m, Day: day}
}

// dateFromProto turns a google.type.Date into "YYYY-MM-DD" ("" when nil). The domain checks that
// it is a real day.
func dateFromProto(d *date.Date) domain.Date {
	if d == nil {
		return ""
	}
	if d.GetYear() == 0 {
		// google.type.Date allows a day without a year (year 0); no date of this API is one, and
		// "0000-MM-DD" would pass for a real day, so it is passed on in a form the domain refuses.
		return domain.Date(fmt.Sprintf("no-year-%02d-%02d", d.GetMonth(), d.GetDay()))
	}
	return domain.Date(fmt.Sprintf("%04d-%02d-%02d", d.GetYear(), d.GetMonth(), d.GetDay()))
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
		StartDate:        dateToProto(p.StartDate),
		EndDate:          dateToProto(p.EndDate),
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
		StartDate:        dateFromProto(p.GetStartDate()),
		EndDate:          dateFromProto(p.GetEndDate()),
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
		SignDate:   dateToProto(a.SignDate),
		StartDate:  dateToProto(a.StartDate),
		CloseDate:  dateToProto(a.CloseDate),
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
	return &fundingv1.Payment{AmountCents: p.AmountCents, PaymentDate: dateToProto(p.Date), Reference: p.Reference}
}

package grpcapi

import (
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/vif71/vif/platform/calendar/datepb"
	"github.com/vif71/vif/platform/outbox"
	fundingv1 "github.com/vif71/vif/proto/gen/go/vif/funding/v1"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// payloadOf is the message of events.proto that an event publishes; nil for an unknown type.
func payloadOf(ev *domain.Event) proto.Message {
	mask := &fieldmaskpb.FieldMask{Paths: ev.UpdateMask}
	switch ev.Type {
	case domain.FunderCreated:
		return &fundingv1.FunderCreated{Funder: funderToProto(ev.Funder)}
	case domain.FunderUpdated:
		return &fundingv1.FunderUpdated{Funder: funderToProto(ev.Funder), UpdateMask: mask}
	case domain.PostCreated:
		return &fundingv1.PostCreated{Post: postToProto(ev.Post)}
	case domain.PostUpdated:
		return &fundingv1.PostUpdated{Post: postToProto(ev.Post), UpdateMask: mask}
	case domain.PlanCreated:
		return &fundingv1.FundingPlanCreated{FundingPlan: planToProto(ev.Plan)}
	case domain.PlanRevised:
		return &fundingv1.FundingPlanRevised{FundingPlan: planToProto(ev.Plan), UpdateMask: mask}
	case domain.AgreementCreated:
		return &fundingv1.AgreementCreated{Agreement: agreementToProto(ev.Agreement)}
	case domain.AgreementSigned, domain.AgreementActivated, domain.AgreementClosed:
		return &fundingv1.AgreementStateChanged{Agreement: agreementToProto(ev.Agreement), PreviousState: stateToProto(ev.PreviousState)}
	case domain.ContributionCalled:
		return &fundingv1.ContributionCalled{Contribution: contributionToProto(ev.Contribution), AmountCents: ev.AmountCents, CallDate: datepb.ToProto(ev.CallDate)}
	case domain.PaymentRecorded:
		return &fundingv1.PaymentRecorded{Contribution: contributionToProto(ev.Contribution), Payment: paymentToProto(*ev.Payment)}
	}
	return nil
}

// EncodeEvent turns a domain event into its outbox record (outbox.Envelope): subject
// vif.funding.v1.{type}, source /vif/funding, the resource name of what changed (the CloudEvents
// subject, resourceOf) and the message of events.proto.
func EncodeEvent(ev *domain.Event) (outbox.Event, error) {
	payload := payloadOf(ev)
	return outbox.Envelope("funding", ev.ID, string(ev.Type), ev.Time, resourceOf(payload), payload)
}

// resourceOf returns the resource name of what an event is about, its CloudEvents subject: the
// funder, post, plan or agreement it carries, or the contribution called or paid.
func resourceOf(payload proto.Message) string {
	switch p := payload.(type) {
	case *fundingv1.FunderCreated:
		return p.GetFunder().GetName()
	case *fundingv1.FunderUpdated:
		return p.GetFunder().GetName()
	case *fundingv1.PostCreated:
		return p.GetPost().GetName()
	case *fundingv1.PostUpdated:
		return p.GetPost().GetName()
	case *fundingv1.FundingPlanCreated:
		return p.GetFundingPlan().GetName()
	case *fundingv1.FundingPlanRevised:
		return p.GetFundingPlan().GetName()
	case *fundingv1.AgreementCreated:
		return p.GetAgreement().GetName()
	case *fundingv1.AgreementStateChanged:
		return p.GetAgreement().GetName()
	case *fundingv1.ContributionCalled:
		return p.GetContribution().GetName()
	case *fundingv1.PaymentRecorded:
		return p.GetContribution().GetName()
	}
	return ""
}

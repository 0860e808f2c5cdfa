package grpcapi

import (
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/vif71/vif/platform/outbox"
	fundingv1 "github.com/vif71/vif/proto/gen/go/vif/funding/v1"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// Source is the CloudEvents source of the funding service's events.
const Source = "/vif/funding"

// SubjectPrefix starts the subject of every funding event.
const SubjectPrefix = "vif.funding.v1."

// EncodeEvent turns a domain event into its outbox record: the subject, the resource name of what
// changed (the CloudEvents subject, resourceOf) and the message of events.proto.
func EncodeEvent(ev *domain.Event) (outbox.Event, error) {
	var payload proto.Message
	mask := &fieldmaskpb.FieldMask{Paths: ev.UpdateMask}
	switch ev.Type {
	case domain.FunderCreated:
		payload = &fundingv1.FunderCreated{Funder: funderToProto(ev.Funder)}
	case domain.FunderUpdated:
		payload = &fundingv1.FunderUpdated{Funder: funderToProto(ev.Funder), UpdateMask: mask}
	case domain.PostCreated:
		payload = &fundingv1.PostCreated{Post: postToProto(ev.Post)}
	case domain.PostUpdated:
		payload = &fundingv1.PostUpdated{Post: postToProto(ev.Post), UpdateMask: mask}
	case domain.PlanCreated:
		payload = &fundingv1.FundingPlanCreated{FundingPlan: planToProto(ev.Plan)}
	case domain.PlanRevised:
		payload = &fundingv1.FundingPlanRevised{FundingPlan: planToProto(ev.Plan), UpdateMask: mask}
	case domain.AgreementCreated:
		payload = &fundingv1.AgreementCreated{Agreement: agreementToProto(ev.Agreement)}
	case domain.AgreementSigned, domain.AgreementActivated, domain.AgreementClosed:
		payload = &fundingv1.AgreementStateChanged{Agreement: agreementToProto(ev.Agreement), PreviousState: stateToProto(ev.PreviousState)}
	case domain.ContributionCalled:
		payload = &fundingv1.ContributionCalled{Contribution: contributionToProto(ev.Contribution), AmountCents: ev.AmountCents, CallDate: dateToProto(ev.CallDate)}
	case domain.PaymentRecorded:
		payload = &fundingv1.PaymentRecorded{Contribution: contributionToProto(ev.Contribution), Payment: paymentToProto(*ev.Payment)}
	default:
		return outbox.Event{}, fmt.Errorf("unknown event type %q", ev.Type)
	}
	return outbox.Event{ID: ev.ID, Subject: SubjectPrefix + string(ev.Type), Source: Source, Resource: resourceOf(payload), Time: ev.Time, Payload: payload}, nil
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

package grpcapi

import (
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/vif71/vif/platform/outbox"
	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
	"github.com/vif71/vif/services/directory/internal/domain"
)

// Source is the CloudEvents source of the directory's events.
const Source = "/vif/directory"

// SubjectPrefix starts the subject of every directory event.
const SubjectPrefix = "vif.directory.v1."

// EncodeEvent turns a domain event into its outbox record: the subject, the resource name of what
// changed (the CloudEvents subject) and the protobuf message of events.proto. Member events leave contact details out: subscribers need not be
// authenticated.
func EncodeEvent(ev *domain.Event) (outbox.Event, error) {
	var payload proto.Message
	var resource string
	mask := &fieldmaskpb.FieldMask{Paths: ev.UpdateMask}
	switch ev.Type {
	case domain.OrganisationCreated:
		o := organisationToProto(ev.Organisation)
		payload, resource = &directoryv1.OrganisationCreated{Organisation: o}, o.GetName()
	case domain.OrganisationUpdated:
		o := organisationToProto(ev.Organisation)
		payload, resource = &directoryv1.OrganisationUpdated{Organisation: o, UpdateMask: mask}, o.GetName()
	case domain.OrganisationDeleted:
		payload, resource = &directoryv1.OrganisationDeleted{Name: ev.Name, Organisation: organisationToProto(ev.Organisation)}, ev.Name
	case domain.OrganisationUndeleted:
		o := organisationToProto(ev.Organisation)
		payload, resource = &directoryv1.OrganisationUndeleted{Organisation: o}, o.GetName()
	case domain.MemberCreated:
		m := memberToProto(ev.Member.WithoutContact())
		payload, resource = &directoryv1.MemberCreated{Member: m}, m.GetName()
	case domain.MemberUpdated:
		m := memberToProto(ev.Member.WithoutContact())
		payload, resource = &directoryv1.MemberUpdated{Member: m, UpdateMask: mask}, m.GetName()
	case domain.MemberDeleted:
		payload, resource = &directoryv1.MemberDeleted{Name: ev.Name}, ev.Name
	default:
		return outbox.Event{}, fmt.Errorf("unknown event type %q", ev.Type)
	}
	return outbox.Event{
		ID:       ev.ID,
		Subject:  SubjectPrefix + string(ev.Type),
		Source:   Source,
		Resource: resource,
		Time:     ev.Time,
		Payload:  payload,
	}, nil
}

package grpcapi

import (
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/vif71/vif/platform/outbox"
	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
	"github.com/vif71/vif/services/directory/internal/domain"
)

// SubjectPrefix starts the subject of every directory event (outbox.Envelope).
const SubjectPrefix = "vif.directory.v1."

// payloadOf is the message of events.proto that an event publishes and the resource name of what
// changed; nil for an unknown type. Member events leave contact details out: subscribers need not
// be authenticated.
func payloadOf(ev *domain.Event) (proto.Message, string) {
	mask := &fieldmaskpb.FieldMask{Paths: ev.UpdateMask}
	switch ev.Type {
	case domain.OrganisationCreated:
		o := organisationToProto(ev.Organisation)
		return &directoryv1.OrganisationCreated{Organisation: o}, o.GetName()
	case domain.OrganisationUpdated:
		o := organisationToProto(ev.Organisation)
		return &directoryv1.OrganisationUpdated{Organisation: o, UpdateMask: mask}, o.GetName()
	case domain.OrganisationDeleted:
		return &directoryv1.OrganisationDeleted{Name: ev.Name, Organisation: organisationToProto(ev.Organisation)}, ev.Name
	case domain.OrganisationUndeleted:
		o := organisationToProto(ev.Organisation)
		return &directoryv1.OrganisationUndeleted{Organisation: o}, o.GetName()
	case domain.MemberCreated:
		m := memberToProto(ev.Member.WithoutContact())
		return &directoryv1.MemberCreated{Member: m}, m.GetName()
	case domain.MemberUpdated:
		m := memberToProto(ev.Member.WithoutContact())
		return &directoryv1.MemberUpdated{Member: m, UpdateMask: mask}, m.GetName()
	case domain.MemberDeleted:
		return &directoryv1.MemberDeleted{Name: ev.Name}, ev.Name
	}
	return nil, ""
}

// EncodeEvent turns a domain event into its outbox record (outbox.Envelope): subject
// SubjectPrefix + type, source /vif/directory, the resource name of what changed (the CloudEvents
// subject) and the message of events.proto.
func EncodeEvent(ev *domain.Event) (outbox.Event, error) {
	payload, resource := payloadOf(ev)
	return outbox.Envelope("directory", ev.ID, string(ev.Type), ev.Time, resource, payload)
}

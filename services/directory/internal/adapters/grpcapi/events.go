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

// EncodeEvent turns a domain event into its outbox record: the subject and the protobuf message
// of events.proto. Member events leave contact details out: subscribers need not be
// authenticated.
func EncodeEvent(ev *domain.Event) (outbox.Event, error) {
	var payload proto.Message
	mask := &fieldmaskpb.FieldMask{Paths: ev.UpdateMask}
	switch ev.Type {
	case domain.OrganisationCreated:
		payload = &directoryv1.OrganisationCreated{Organisation: organisationToProto(ev.Organisation)}
	case domain.OrganisationUpdated:
		payload = &directoryv1.OrganisationUpdated{Organisation: organisationToProto(ev.Organisation), UpdateMask: mask}
	case domain.OrganisationDeleted:
		payload = &directoryv1.OrganisationDeleted{Name: ev.Name, Organisation: organisationToProto(ev.Organisation)}
	case domain.OrganisationUndeleted:
		payload = &directoryv1.OrganisationUndeleted{Organisation: organisationToProto(ev.Organisation)}
	case domain.MemberCreated:
		payload = &directoryv1.MemberCreated{Member: memberToProto(ev.Member.WithoutContact())}
	case domain.MemberUpdated:
		payload = &directoryv1.MemberUpdated{Member: memberToProto(ev.Member.WithoutContact()), UpdateMask: mask}
	case domain.MemberDeleted:
		payload = &directoryv1.MemberDeleted{Name: ev.Name}
	default:
		return outbox.Event{}, fmt.Errorf("unknown event type %q", ev.Type)
	}
	return outbox.Event{
		ID:      ev.ID,
		Subject: SubjectPrefix + string(ev.Type),
		Source:  Source,
		Time:    ev.Time,
		Payload: payload,
	}, nil
}

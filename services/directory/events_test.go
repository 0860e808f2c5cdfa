package directory_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/eventbus"
	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
)

// testEvents makes one change of every kind and reads each one's event back from JetStream, as a
// subscriber would: on its subject, with the CloudEvents headers, and a payload that decodes to
// the message events.proto defines.
func testEvents(t *testing.T, e *env) {
	admin := e.as(t, auth.RoleAdmin, "")
	org, err := e.client.CreateOrganisation(admin, &directoryv1.CreateOrganisationRequest{
		OrganisationId: "events-org",
		Organisation:   &directoryv1.Organisation{DisplayName: "Events", Kind: directoryv1.OrganisationKind_ORGANISATION_KIND_OTHER},
	})
	if err != nil {
		t.Fatal(err)
	}
	org, err = e.client.UpdateOrganisation(admin, &directoryv1.UpdateOrganisationRequest{
		Organisation: &directoryv1.Organisation{Name: org.GetName(), DisplayName: "Events renamed"},
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.client.CreateMember(admin, &directoryv1.CreateMemberRequest{Parent: "networks/maconnais", MemberId: "events-member", Member: &directoryv1.Member{
		Organisation: org.GetName(), DisplayName: "Dominique", Domains: []directoryv1.Domain{directoryv1.Domain_DOMAIN_HEALTH},
		Email: "dominique@example.org",
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.UpdateMember(admin, &directoryv1.UpdateMemberRequest{
		Member:     &directoryv1.Member{Name: m.GetName(), Role: "Médecin"},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"role"}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.DeleteMember(admin, &directoryv1.DeleteMemberRequest{Name: m.GetName()}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.DeleteOrganisation(admin, &directoryv1.DeleteOrganisationRequest{Name: org.GetName()}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.UndeleteOrganisation(admin, &directoryv1.UndeleteOrganisationRequest{Name: org.GetName()}); err != nil {
		t.Fatal(err)
	}

	want := []struct {
		subject string
		payload proto.Message
		name    func(proto.Message) string
	}{
		{"vif.directory.v1.organisation.created", &directoryv1.OrganisationCreated{}, func(p proto.Message) string { return p.(*directoryv1.OrganisationCreated).GetOrganisation().GetName() }},
		{"vif.directory.v1.organisation.updated", &directoryv1.OrganisationUpdated{}, func(p proto.Message) string { return p.(*directoryv1.OrganisationUpdated).GetOrganisation().GetName() }},
		{"vif.directory.v1.member.created", &directoryv1.MemberCreated{}, func(p proto.Message) string { return p.(*directoryv1.MemberCreated).GetMember().GetName() }},
		{"vif.directory.v1.member.updated", &directoryv1.MemberUpdated{}, func(p proto.Message) string { return p.(*directoryv1.MemberUpdated).GetMember().GetName() }},
		{"vif.directory.v1.member.deleted", &directoryv1.MemberDeleted{}, func(p proto.Message) string { return p.(*directoryv1.MemberDeleted).GetName() }},
		{"vif.directory.v1.organisation.deleted", &directoryv1.OrganisationDeleted{}, func(p proto.Message) string { return p.(*directoryv1.OrganisationDeleted).GetName() }},
		{"vif.directory.v1.organisation.undeleted", &directoryv1.OrganisationUndeleted{}, func(p proto.Message) string {
			return p.(*directoryv1.OrganisationUndeleted).GetOrganisation().GetName()
		}},
	}
	ours := map[string]bool{org.GetName(): true, m.GetName(): true}

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cons, err := e.js.OrderedConsumer(ctx, eventbus.StreamName, jetstream.OrderedConsumerConfig{FilterSubjects: []string{"vif.directory.v1.>"}})
	if err != nil {
		t.Fatal(err)
	}
	next := 0
	ids := map[string]bool{}
	for next < len(want) {
		msg, err := cons.Next(jetstream.FetchContext(ctx))
		if err != nil {
			t.Fatalf("waiting for %s: %v", want[next].subject, err)
		}
		w := want[next]
		if msg.Subject() != w.subject {
			continue // seed events and other subtests' changes
		}
		payload := proto.Clone(w.payload)
		if err := proto.Unmarshal(msg.Data(), payload); err != nil {
			t.Fatalf("%s payload: %v", w.subject, err)
		}
		if !ours[w.name(payload)] {
			continue
		}
		h := msg.Headers()
		if h.Get("ce-specversion") != "1.0" || h.Get("ce-type") != w.subject || h.Get("ce-source") != "/vif/directory" ||
			h.Get("ce-id") == "" || h.Get("ce-time") == "" || h.Get("Nats-Msg-Id") != h.Get("ce-id") {
			t.Errorf("%s headers = %v; want CloudEvents headers and Nats-Msg-Id = ce-id", w.subject, h)
		}
		if ids[h.Get("ce-id")] {
			t.Errorf("event id %s seen twice", h.Get("ce-id"))
		}
		ids[h.Get("ce-id")] = true
		if od, ok := payload.(*directoryv1.OrganisationDeleted); ok && (od.GetOrganisation().GetName() != od.GetName() || od.GetOrganisation().GetDeleteTime() == nil) {
			t.Errorf("organisation.deleted = %v; want the organisation as deleted, with its delete_time", od)
		}
		if ou, ok := payload.(*directoryv1.OrganisationUndeleted); ok && ou.GetOrganisation().GetDeleteTime() != nil {
			t.Errorf("organisation.undeleted = %v; want the organisation without delete_time", ou)
		}
		if mc, ok := payload.(*directoryv1.MemberCreated); ok && mc.GetMember().GetEmail() != "" {
			t.Errorf("member.created carries the e-mail %q; contact details must stay out of events", mc.GetMember().GetEmail())
		}
		next++
	}
}

package directory_test

import (
	"context"
	"slices"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/storage/storagetest"
	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
)

// wantCode fails t unless err is a status with code, and, when field is set, a BadRequest
// violation on that field.
func wantCode(t *testing.T, what string, err error, code codes.Code, field string) {
	t.Helper()
	st, _ := status.FromError(err)
	if st.Code() != code {
		t.Errorf("%s: code = %v (%v); want %v", what, st.Code(), err, code)
		return
	}
	var reason string
	var fields []string
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			reason = d.GetReason()
		case *errdetails.BadRequest:
			for _, v := range d.GetFieldViolations() {
				fields = append(fields, v.GetField())
			}
		}
	}
	if code != codes.OK && reason == "" {
		t.Errorf("%s: no ErrorInfo reason in %v", what, err)
	}
	if field != "" && !slices.Contains(fields, field) {
		t.Errorf("%s: violated fields = %v; want %q among them (%v)", what, fields, field, err)
	}
}

func TestDirectory(t *testing.T) {
	for _, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			e := start(t, d.DB)
			t.Run("referential is public", func(t *testing.T) { testReferential(t, e) })
			t.Run("seeded organisations", func(t *testing.T) { testSeed(t, e) })
			t.Run("organisation lifecycle", func(t *testing.T) { testOrganisationLifecycle(t, e) })
			t.Run("members and scopes", func(t *testing.T) { testMembers(t, e) })
			t.Run("authentication and roles", func(t *testing.T) { testAuth(t, e) })
			t.Run("bad input changes nothing", func(t *testing.T) { testBadInput(t, e) })
			t.Run("pagination", func(t *testing.T) { testPagination(t, e) })
			t.Run("events", func(t *testing.T) { testEvents(t, e) })
		})
	}
}

func testReferential(t *testing.T, e *env) {
	ctx := context.Background()
	nets, err := e.client.ListNetworks(ctx, &directoryv1.ListNetworksRequest{})
	if err != nil {
		t.Fatalf("ListNetworks without a token: %v", err)
	}
	if len(nets.GetNetworks()) != 13 || nets.GetTotalSize() != 13 {
		t.Fatalf("ListNetworks = %d networks (total %d); want 13", len(nets.GetNetworks()), nets.GetTotalSize())
	}
	c, err := e.client.GetCommune(ctx, &directoryv1.GetCommuneRequest{Name: "communes/71076"})
	if err != nil {
		t.Fatalf("GetCommune(71076): %v", err)
	}
	if c.GetDisplayName() != "Chalon-sur-Saône" || c.GetNetwork() != "networks/chalonnais" {
		t.Errorf("GetCommune(71076) = %q in %q; want Chalon-sur-Saône in networks/chalonnais", c.GetDisplayName(), c.GetNetwork())
	}
	// Every commune of the département is covered by exactly one network: the networks'
	// commune counts add up to the number of communes, and each commune names a real network.
	all, err := e.client.ListCommunes(ctx, &directoryv1.ListCommunesRequest{PageSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var sum int32
	names := map[string]bool{}
	for _, n := range nets.GetNetworks() {
		sum += n.GetCommuneCount()
		names[n.GetName()] = true
	}
	if int(sum) != len(all.GetCommunes()) || all.GetNextPageToken() != "" {
		t.Errorf("networks cover %d communes; the département has %d", sum, len(all.GetCommunes()))
	}
	for _, c := range all.GetCommunes() {
		if !names[c.GetNetwork()] {
			t.Errorf("commune %s is in %q, not a network", c.GetName(), c.GetNetwork())
		}
	}
	chalonnais, err := e.client.ListCommunes(ctx, &directoryv1.ListCommunesRequest{PageSize: 1000, Filter: `network = "networks/chalonnais"`})
	if err != nil {
		t.Fatal(err)
	}
	n, err := e.client.GetNetwork(ctx, &directoryv1.GetNetworkRequest{Name: "networks/chalonnais"})
	if err != nil {
		t.Fatal(err)
	}
	if int32(len(chalonnais.GetCommunes())) != n.GetCommuneCount() {
		t.Errorf("communes filtered by networks/chalonnais = %d; the network says %d", len(chalonnais.GetCommunes()), n.GetCommuneCount())
	}
	epcis, err := e.client.ListEpcis(ctx, &directoryv1.ListEpcisRequest{Filter: `network = "networks/chalonnais"`})
	if err != nil {
		t.Fatal(err)
	}
	if len(epcis.GetEpcis()) != len(n.GetEpcis()) {
		t.Errorf("EPCIs of networks/chalonnais = %d; the network lists %d", len(epcis.GetEpcis()), len(n.GetEpcis()))
	}
	_, err = e.client.GetCommune(ctx, &directoryv1.GetCommuneRequest{Name: "communes/21231"})
	wantCode(t, "GetCommune of a commune outside the département", err, codes.NotFound, "")
	_, err = e.client.GetNetwork(ctx, &directoryv1.GetNetworkRequest{Name: "networks/nowhere"})
	wantCode(t, "GetNetwork(nowhere)", err, codes.NotFound, "")
}

func testSeed(t *testing.T, e *env) {
	resp, err := e.client.ListOrganisations(context.Background(), &directoryv1.ListOrganisationsRequest{Filter: `kind = "ORGANISATION_KIND_ISCG"`})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range resp.GetOrganisations() {
		got = append(got, o.GetName())
	}
	want := []string{"organisations/iscg-charolais-brionnais", "organisations/iscg-creusot-autun", "organisations/iscg-louhannais"}
	if !slices.Equal(got, want) {
		t.Errorf("ISCG organisations = %v; want %v", got, want)
	}
}

func testOrganisationLifecycle(t *testing.T, e *env) {
	admin := e.as(t, auth.RoleAdmin, "")
	req := &directoryv1.CreateOrganisationRequest{
		OrganisationId: "cidff-71",
		RequestId:      "6f1c2a9e-6d7b-4c3e-9a59-3f1d2b7c8e90",
		Organisation: &directoryv1.Organisation{
			DisplayName: "CIDFF de Saône-et-Loire",
			Kind:        directoryv1.OrganisationKind_ORGANISATION_KIND_ASSOCIATION,
			Siret:       "73282932000074",
			Commune:     "communes/71076",
		},
	}
	created, err := e.client.CreateOrganisation(admin, req)
	if err != nil {
		t.Fatalf("CreateOrganisation: %v", err)
	}
	if created.GetName() != "organisations/cidff-71" || created.GetEtag() == "" || created.GetCreateTime() == nil {
		t.Errorf("created = %v; want name organisations/cidff-71 with an etag and a create time", created)
	}
	again, err := e.client.CreateOrganisation(admin, req)
	if err != nil || again.GetEtag() != created.GetEtag() || !again.GetCreateTime().AsTime().Equal(created.GetCreateTime().AsTime()) {
		t.Errorf("retry with the same request_id = %v, %v; want the first result", again, err)
	}
	req.RequestId = "7f1c2a9e-6d7b-4c3e-9a59-3f1d2b7c8e90"
	_, err = e.client.CreateOrganisation(admin, req)
	wantCode(t, "create with a taken id", err, codes.AlreadyExists, "")

	updated, err := e.client.UpdateOrganisation(admin, &directoryv1.UpdateOrganisationRequest{
		Organisation: &directoryv1.Organisation{Name: created.GetName(), Address: "1 rue de la Paix, Chalon-sur-Saône", Etag: created.GetEtag()},
		UpdateMask:   &fieldmaskpb.FieldMask{Paths: []string{"address"}},
	})
	if err != nil {
		t.Fatalf("UpdateOrganisation: %v", err)
	}
	if updated.GetAddress() == "" || updated.GetDisplayName() != "CIDFF de Saône-et-Loire" || updated.GetEtag() == created.GetEtag() {
		t.Errorf("updated = %v; want the address set, the rest kept, a new etag", updated)
	}
	_, err = e.client.UpdateOrganisation(admin, &directoryv1.UpdateOrganisationRequest{
		Organisation: &directoryv1.Organisation{Name: created.GetName(), DisplayName: "stale", Etag: created.GetEtag()},
	})
	wantCode(t, "update with a stale etag", err, codes.FailedPrecondition, "")
	_, err = e.client.DeleteOrganisation(admin, &directoryv1.DeleteOrganisationRequest{Name: created.GetName(), Etag: created.GetEtag()})
	wantCode(t, "delete with a stale etag", err, codes.FailedPrecondition, "")
	got, err := e.client.GetOrganisation(admin, &directoryv1.GetOrganisationRequest{Name: created.GetName()})
	if err != nil || got.GetDisplayName() != "CIDFF de Saône-et-Loire" {
		t.Errorf("after refused changes, Get = %v, %v; want the organisation unchanged", got, err)
	}
	deleted, err := e.client.DeleteOrganisation(admin, &directoryv1.DeleteOrganisationRequest{Name: created.GetName(), Etag: updated.GetEtag()})
	if err != nil {
		t.Fatalf("DeleteOrganisation: %v", err)
	}
	if deleted.GetDeleteTime() == nil || deleted.GetDisplayName() != "CIDFF de Saône-et-Loire" || deleted.GetEtag() == updated.GetEtag() {
		t.Errorf("DeleteOrganisation = %v; want the organisation with its delete_time and a new etag", deleted)
	}
	testSoftDeleted(t, e, deleted)
}

// testSoftDeleted: a deleted organisation (AIP-164) still resolves, anonymously too, with its
// delete_time; lists leave it out unless show_deleted; it is not changed or deleted again; it
// takes no new member; it can be undeleted.
func testSoftDeleted(t *testing.T, e *env, deleted *directoryv1.Organisation) {
	admin := e.as(t, auth.RoleAdmin, "")
	got, err := e.client.GetOrganisation(context.Background(), &directoryv1.GetOrganisationRequest{Name: deleted.GetName()})
	if err != nil || !got.GetDeleteTime().AsTime().Equal(deleted.GetDeleteTime().AsTime()) || got.GetDisplayName() != deleted.GetDisplayName() {
		t.Errorf("GetOrganisation(%s) after delete = %v, %v; want it, with its delete_time", deleted.GetName(), got, err)
	}
	listed := func(show bool) bool {
		t.Helper()
		list, err := e.client.ListOrganisations(context.Background(), &directoryv1.ListOrganisationsRequest{PageSize: 1000, ShowDeleted: show})
		if err != nil {
			t.Fatalf("ListOrganisations(show_deleted %v) = %v", show, err)
		}
		return slices.ContainsFunc(list.GetOrganisations(), func(o *directoryv1.Organisation) bool { return o.GetName() == deleted.GetName() })
	}
	if listed(false) || !listed(true) {
		t.Errorf("%s listed without show_deleted: %v, with: %v; want false, true", deleted.GetName(), listed(false), listed(true))
	}
	_, err = e.client.UpdateOrganisation(admin, &directoryv1.UpdateOrganisationRequest{
		Organisation: &directoryv1.Organisation{Name: deleted.GetName(), Address: "ailleurs"},
		UpdateMask:   &fieldmaskpb.FieldMask{Paths: []string{"address"}},
	})
	wantReason(t, "update of a deleted organisation", err, codes.FailedPrecondition, "ORGANISATION_DELETED")
	_, err = e.client.DeleteOrganisation(admin, &directoryv1.DeleteOrganisationRequest{Name: deleted.GetName()})
	wantReason(t, "delete of a deleted organisation", err, codes.FailedPrecondition, "ORGANISATION_DELETED")
	_, err = e.client.CreateMember(admin, &directoryv1.CreateMemberRequest{Parent: "networks/chalonnais", Member: &directoryv1.Member{
		Organisation: deleted.GetName(), DisplayName: "Camille Martin", Domains: []directoryv1.Domain{directoryv1.Domain_DOMAIN_RIGHTS},
	}})
	wantReason(t, "a member of a deleted organisation", err, codes.FailedPrecondition, "ORGANISATION_DELETED")
	_, err = e.client.UndeleteOrganisation(e.as(t, auth.RoleReader, ""), &directoryv1.UndeleteOrganisationRequest{Name: deleted.GetName()})
	wantCode(t, "undelete as reader", err, codes.PermissionDenied, "")

	restored, err := e.client.UndeleteOrganisation(admin, &directoryv1.UndeleteOrganisationRequest{Name: deleted.GetName(), Etag: deleted.GetEtag()})
	if err != nil || restored.GetDeleteTime() != nil || restored.GetDisplayName() != deleted.GetDisplayName() {
		t.Fatalf("UndeleteOrganisation = %v, %v; want it without delete_time", restored, err)
	}
	if !listed(false) {
		t.Errorf("%s not listed after its undelete", deleted.GetName())
	}
	_, err = e.client.UndeleteOrganisation(admin, &directoryv1.UndeleteOrganisationRequest{Name: deleted.GetName()})
	wantReason(t, "undelete of an organisation that is not deleted", err, codes.FailedPrecondition, "ORGANISATION_NOT_DELETED")
	if _, err := e.client.DeleteOrganisation(admin, &directoryv1.DeleteOrganisationRequest{Name: deleted.GetName()}); err != nil {
		t.Errorf("DeleteOrganisation after the undelete = %v", err)
	}
}

// wantReason fails t unless err is a status with code and an ErrorInfo of reason.
func wantReason(t *testing.T, what string, err error, code codes.Code, reason string) {
	t.Helper()
	st, _ := status.FromError(err)
	var got string
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			got = info.GetReason()
		}
	}
	if st.Code() != code || got != reason {
		t.Errorf("%s: %v (reason %q); want %v, reason %s", what, err, got, code, reason)
	}
}

func testMembers(t *testing.T, e *env) {
	admin := e.as(t, auth.RoleAdmin, "")
	coord := e.as(t, auth.RoleCoordinator, "louhannais")
	member := &directoryv1.Member{
		Organisation: "organisations/iscg-louhannais",
		DisplayName:  "Camille Martin",
		Role:         "Intervenante sociale en gendarmerie",
		Domains:      []directoryv1.Domain{directoryv1.Domain_DOMAIN_SOCIAL, directoryv1.Domain_DOMAIN_SECURITY},
		Email:        "camille.martin@example.org",
		Phone:        "+33 3 85 00 00 00",
	}
	m, err := e.client.CreateMember(coord, &directoryv1.CreateMemberRequest{Parent: "networks/louhannais", MemberId: "camille-martin", Member: member})
	if err != nil {
		t.Fatalf("coordinator creates a member of its network: %v", err)
	}
	if m.GetName() != "networks/louhannais/members/camille-martin" || m.GetEmail() == "" {
		t.Errorf("created member = %v", m)
	}
	_, err = e.client.CreateMember(coord, &directoryv1.CreateMemberRequest{Parent: "networks/chalonnais", Member: member})
	wantCode(t, "coordinator of louhannais adds to chalonnais", err, codes.PermissionDenied, "")
	_, err = e.client.DeleteMember(coord, &directoryv1.DeleteMemberRequest{Name: "networks/chalonnais/members/anyone"})
	wantCode(t, "coordinator of louhannais deletes in chalonnais", err, codes.PermissionDenied, "")

	_, err = e.client.DeleteOrganisation(admin, &directoryv1.DeleteOrganisationRequest{Name: "organisations/iscg-louhannais"})
	wantCode(t, "delete an organisation that has members", err, codes.FailedPrecondition, "")

	list, err := e.client.ListMembers(e.as(t, auth.RoleReader, ""), &directoryv1.ListMembersRequest{Parent: "networks/-", Filter: `domain = "DOMAIN_SOCIAL"`})
	if err != nil || len(list.GetMembers()) != 1 {
		t.Fatalf("ListMembers(networks/-, social) = %v, %v; want the one member", list, err)
	}
	upd, err := e.client.UpdateMember(coord, &directoryv1.UpdateMemberRequest{
		Member:     &directoryv1.Member{Name: m.GetName(), Domains: []directoryv1.Domain{directoryv1.Domain_DOMAIN_SOCIAL}, Etag: m.GetEtag()},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"domains"}},
	})
	if err != nil || len(upd.GetDomains()) != 1 || upd.GetEmail() != member.GetEmail() {
		t.Errorf("UpdateMember(domains) = %v, %v; want one domain and the e-mail kept", upd, err)
	}
	if _, err := e.client.DeleteMember(coord, &directoryv1.DeleteMemberRequest{Name: m.GetName(), Etag: upd.GetEtag()}); err != nil {
		t.Errorf("DeleteMember: %v", err)
	}
}

func testAuth(t *testing.T, e *env) {
	org := &directoryv1.Organisation{DisplayName: "X", Kind: directoryv1.OrganisationKind_ORGANISATION_KIND_OTHER}
	_, err := e.client.CreateOrganisation(context.Background(), &directoryv1.CreateOrganisationRequest{Organisation: org})
	wantCode(t, "create without a token", err, codes.Unauthenticated, "")
	_, err = e.client.CreateOrganisation(e.as(t, auth.RoleReader, ""), &directoryv1.CreateOrganisationRequest{Organisation: org})
	wantCode(t, "create as reader", err, codes.PermissionDenied, "")
	_, err = e.client.CreateOrganisation(e.as(t, auth.RoleCoordinator, "chalonnais"), &directoryv1.CreateOrganisationRequest{Organisation: org})
	wantCode(t, "create as coordinator", err, codes.PermissionDenied, "")
	// Professionals' contact details never reach an unauthenticated caller.
	_, err = e.client.ListMembers(context.Background(), &directoryv1.ListMembersRequest{Parent: "networks/-"})
	wantCode(t, "list members without a token", err, codes.Unauthenticated, "")
	_, err = e.client.GetMember(context.Background(), &directoryv1.GetMemberRequest{Name: "networks/louhannais/members/camille-martin"})
	wantCode(t, "get a member without a token", err, codes.Unauthenticated, "")
}

func testBadInput(t *testing.T, e *env) {
	admin := e.as(t, auth.RoleAdmin, "")
	before, err := e.client.ListOrganisations(admin, &directoryv1.ListOrganisationsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	valid := func() *directoryv1.Organisation {
		return &directoryv1.Organisation{DisplayName: "Association test", Kind: directoryv1.OrganisationKind_ORGANISATION_KIND_ASSOCIATION}
	}
	with := func(f func(o *directoryv1.Organisation)) *directoryv1.Organisation { o := valid(); f(o); return o }
	creates := []struct {
		name  string
		req   *directoryv1.CreateOrganisationRequest
		field string
	}{
		{"no organisation", &directoryv1.CreateOrganisationRequest{}, "organisation"},
		{"SIRET of 13 digits", &directoryv1.CreateOrganisationRequest{Organisation: with(func(o *directoryv1.Organisation) { o.Siret = "7328293200007" })}, "organisation.siret"},
		{"SIRET with a bad Luhn key", &directoryv1.CreateOrganisationRequest{Organisation: with(func(o *directoryv1.Organisation) { o.Siret = "73282932000075" })}, "organisation.siret"},
		{"malformed INSEE code", &directoryv1.CreateOrganisationRequest{Organisation: with(func(o *directoryv1.Organisation) { o.Commune = "communes/7107" })}, "organisation.commune"},
		{"postal code instead of INSEE", &directoryv1.CreateOrganisationRequest{Organisation: with(func(o *directoryv1.Organisation) { o.Commune = "71100" })}, "organisation.commune"},
		{"commune outside the referential", &directoryv1.CreateOrganisationRequest{Organisation: with(func(o *directoryv1.Organisation) { o.Commune = "communes/71999" })}, "organisation.commune"},
		{"Corsican code outside the département", &directoryv1.CreateOrganisationRequest{Organisation: with(func(o *directoryv1.Organisation) { o.Commune = "communes/2A004" })}, "organisation.commune"},
		{"no display name", &directoryv1.CreateOrganisationRequest{Organisation: with(func(o *directoryv1.Organisation) { o.DisplayName = "  " })}, "organisation.display_name"},
		{"no kind", &directoryv1.CreateOrganisationRequest{Organisation: with(func(o *directoryv1.Organisation) { o.Kind = 0 })}, "organisation.kind"},
		{"undefined kind", &directoryv1.CreateOrganisationRequest{Organisation: with(func(o *directoryv1.Organisation) { o.Kind = 999 })}, "organisation.kind"},
		{"bad organisation_id", &directoryv1.CreateOrganisationRequest{Organisation: valid(), OrganisationId: "Caf 71"}, "organisation_id"},
		{"request_id not a UUID", &directoryv1.CreateOrganisationRequest{Organisation: valid(), RequestId: "retry-1"}, "request_id"},
	}
	for _, tt := range creates {
		_, err := e.client.CreateOrganisation(admin, tt.req)
		wantCode(t, tt.name, err, codes.InvalidArgument, tt.field)
	}
	others := []struct {
		name  string
		call  func() error
		field string
	}{
		{"Get with a malformed name", func() error {
			_, err := e.client.GetOrganisation(admin, &directoryv1.GetOrganisationRequest{Name: "organisations/../etc"})
			return err
		}, "name"},
		{"Get with a name of another collection", func() error {
			_, err := e.client.GetOrganisation(admin, &directoryv1.GetOrganisationRequest{Name: "networks/chalonnais"})
			return err
		}, "name"},
		{"filter on an unknown field", func() error {
			_, err := e.client.ListOrganisations(admin, &directoryv1.ListOrganisationsRequest{Filter: `name = "x"`})
			return err
		}, "filter"},
		{"filter with an unknown kind", func() error {
			_, err := e.client.ListOrganisations(admin, &directoryv1.ListOrganisationsRequest{Filter: `kind = "BANK"`})
			return err
		}, "filter"},
		{"negative page size", func() error {
			_, err := e.client.ListOrganisations(admin, &directoryv1.ListOrganisationsRequest{PageSize: -1})
			return err
		}, "page_size"},
		{"forged page token", func() error {
			_, err := e.client.ListOrganisations(admin, &directoryv1.ListOrganisationsRequest{PageToken: "eyJhIjoieCIsInEiOjF9"})
			return err
		}, "page_token"},
		{"update of an immutable field", func() error {
			_, err := e.client.UpdateOrganisation(admin, &directoryv1.UpdateOrganisationRequest{
				Organisation: &directoryv1.Organisation{Name: "organisations/caf-71"},
				UpdateMask:   &fieldmaskpb.FieldMask{Paths: []string{"create_time"}},
			})
			return err
		}, "update_mask"},
		{"update with nothing to change", func() error {
			_, err := e.client.UpdateOrganisation(admin, &directoryv1.UpdateOrganisationRequest{Organisation: &directoryv1.Organisation{Name: "organisations/caf-71"}})
			return err
		}, "update_mask"},
		{"update clearing the display name", func() error {
			_, err := e.client.UpdateOrganisation(admin, &directoryv1.UpdateOrganisationRequest{
				Organisation: &directoryv1.Organisation{Name: "organisations/caf-71"},
				UpdateMask:   &fieldmaskpb.FieldMask{Paths: []string{"display_name"}},
			})
			return err
		}, "organisation.display_name"},
		{"member without domains", func() error {
			_, err := e.client.CreateMember(admin, &directoryv1.CreateMemberRequest{Parent: "networks/chalonnais", Member: &directoryv1.Member{Organisation: "organisations/caf-71", DisplayName: "A"}})
			return err
		}, "member.domains"},
		{"member with a bad e-mail", func() error {
			_, err := e.client.CreateMember(admin, &directoryv1.CreateMemberRequest{Parent: "networks/chalonnais", Member: &directoryv1.Member{
				Organisation: "organisations/caf-71", DisplayName: "A", Domains: []directoryv1.Domain{directoryv1.Domain_DOMAIN_SOCIAL}, Email: "not-an-email"}})
			return err
		}, "member.email"},
		{"member of an organisation that does not exist", func() error {
			_, err := e.client.CreateMember(admin, &directoryv1.CreateMemberRequest{Parent: "networks/chalonnais", Member: &directoryv1.Member{
				Organisation: "organisations/nobody", DisplayName: "A", Domains: []directoryv1.Domain{directoryv1.Domain_DOMAIN_SOCIAL}}})
			return err
		}, "member.organisation"},
	}
	for _, tt := range others {
		wantCode(t, tt.name, tt.call(), codes.InvalidArgument, tt.field)
	}
	_, err = e.client.CreateMember(admin, &directoryv1.CreateMemberRequest{Parent: "networks/nowhere", Member: &directoryv1.Member{
		Organisation: "organisations/caf-71", DisplayName: "A", Domains: []directoryv1.Domain{directoryv1.Domain_DOMAIN_SOCIAL}}})
	wantCode(t, "member of a network that does not exist", err, codes.NotFound, "")

	after, err := e.client.ListOrganisations(admin, &directoryv1.ListOrganisationsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if after.GetTotalSize() != before.GetTotalSize() {
		t.Errorf("organisations after rejected requests = %d; want %d (nothing written)", after.GetTotalSize(), before.GetTotalSize())
	}
	caf, err := e.client.GetOrganisation(admin, &directoryv1.GetOrganisationRequest{Name: "organisations/caf-71"})
	if err != nil || caf.GetDisplayName() != "Caf de Saône-et-Loire" {
		t.Errorf("caf-71 after rejected updates = %v, %v; want it unchanged", caf, err)
	}
}

func testPagination(t *testing.T, e *env) {
	ctx := context.Background()
	seen := map[string]bool{}
	req := &directoryv1.ListOrganisationsRequest{PageSize: 4}
	var total int32
	for pages := 0; ; pages++ {
		if pages > 50 {
			t.Fatal("pagination does not end")
		}
		resp, err := e.client.ListOrganisations(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		total = resp.GetTotalSize()
		if len(resp.GetOrganisations()) > 4 {
			t.Errorf("page of %d; want at most 4", len(resp.GetOrganisations()))
		}
		for _, o := range resp.GetOrganisations() {
			if seen[o.GetName()] {
				t.Errorf("%s on two pages", o.GetName())
			}
			seen[o.GetName()] = true
		}
		if resp.GetNextPageToken() == "" {
			break
		}
		req.PageToken = resp.GetNextPageToken()
	}
	if int32(len(seen)) != total {
		t.Errorf("visited %d organisations; total_size says %d", len(seen), total)
	}
	first, err := e.client.ListOrganisations(ctx, &directoryv1.ListOrganisationsRequest{PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.client.ListOrganisations(ctx, &directoryv1.ListOrganisationsRequest{PageSize: 2, PageToken: first.GetNextPageToken(), Filter: `kind = "ORGANISATION_KIND_REGIE"`})
	wantCode(t, "page token reused with another filter", err, codes.InvalidArgument, "page_token")
}

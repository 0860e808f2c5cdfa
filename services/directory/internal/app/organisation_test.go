package app_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/directory/internal/domain"
)

func TestCreateOrganisationStoresItAtRevisionOneWithItsEvent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := organisation("")
	in.DisplayName = "  Caf de Saône-et-Loire  "
	got, err := f.svc.CreateOrganisation(ctx, in)
	if err != nil {
		t.Fatalf("CreateOrganisation(%+v) = %v", in, err)
	}
	if !strings.HasPrefix(got.ID, "org-") || !resource.ValidID(got.ID) {
		t.Errorf("CreateOrganisation without an id gave id %q; want a valid org-… id", got.ID)
	}
	if got.DisplayName != "Caf de Saône-et-Loire" || got.Revision != 1 || got.CreateTime.IsZero() || !got.UpdateTime.Equal(got.CreateTime) {
		t.Errorf("CreateOrganisation = %+v; want the trimmed name at revision 1, created and updated at the same time", got)
	}
	read, err := f.svc.GetOrganisation(ctx, got.ID)
	if err != nil || read.DisplayName != got.DisplayName || read.Revision != 1 || !read.CreateTime.Equal(got.CreateTime) {
		t.Errorf("GetOrganisation(%q) = %+v, %v; want %+v", got.ID, read, err, got)
	}
	if subjects := f.outboxSubjects(t); !slices.Equal(subjects, []string{subject(domain.OrganisationCreated)}) {
		t.Errorf("outbox = %q; want one %q", subjects, subject(domain.OrganisationCreated))
	}
}

func TestCreateOrganisationRejectsInvalidFieldsNamingThemAndCreatesNothing(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name      string
		change    func(o *domain.Organisation)
		wantField string
	}{
		{"blank display name", func(o *domain.Organisation) { o.DisplayName = "   " }, "organisation.display_name"},
		{"display name over 200 bytes", func(o *domain.Organisation) { o.DisplayName = strings.Repeat("é", 101) }, "organisation.display_name"},
		{"no kind", func(o *domain.Organisation) { o.Kind = "" }, "organisation.kind"},
		{"unknown kind", func(o *domain.Organisation) { o.Kind = "SPACESHIP" }, "organisation.kind"},
		{"siret with a bad Luhn key", func(o *domain.Organisation) { o.SIRET = "73282932000075" }, "organisation.siret"},
		{"siret of 13 digits", func(o *domain.Organisation) { o.SIRET = "7328293200007" }, "organisation.siret"},
		{"unknown INSEE code", func(o *domain.Organisation) { o.Commune = "99999" }, "organisation.commune"},
		{"commune outside the département", func(o *domain.Organisation) { o.Commune = "21231" }, "organisation.commune"},
		{"id with capitals and underscore", func(o *domain.Organisation) { o.ID = "Caf_71" }, "organisation_id"},
		{"id starting with a hyphen", func(o *domain.Organisation) { o.ID = "-caf" }, "organisation_id"},
		{"id of 64 characters", func(o *domain.Organisation) { o.ID = strings.Repeat("a", 64) }, "organisation_id"},
	}
	for _, tt := range tests {
		o := organisation("caf-71")
		tt.change(&o)
		got, err := f.svc.CreateOrganisation(context.Background(), o)
		if !isViolationOf(err, tt.wantField) || got != nil {
			t.Errorf("CreateOrganisation(%s) = %v, %v (fields %q); want a violation of %q", tt.name, got, err, violatedFields(err), tt.wantField)
		}
	}
	if n := f.count(t, "organisations"); n != 0 {
		t.Errorf("organisations after invalid creates = %d; want 0", n)
	}
	if n := f.count(t, "outbox"); n != 0 {
		t.Errorf("outbox after invalid creates = %d; want 0", n)
	}
}

func TestCreateOrganisationWithAUsedRequestIDReturnsTheFirst(t *testing.T) {
	f := newFixture(t)
	// The key the gRPC edge derives from the request: the same request sent twice.
	ctx := idempotency.NewContext(context.Background(), idempotency.Key{
		Caller: "admin", Method: "/vif.directory.v1.DirectoryService/CreateOrganisation",
		RequestID: "7c9e6679-7425-40de-944b-e07fc1f90ae7", Fingerprint: []byte("one request"),
	})
	first, err := f.svc.CreateOrganisation(ctx, organisation(""))
	if err != nil {
		t.Fatalf("CreateOrganisation = %v", err)
	}
	again, err := f.svc.CreateOrganisation(ctx, organisation(""))
	if err != nil || again.ID != first.ID {
		t.Errorf("CreateOrganisation(same request id) = %v, %v; want %q again", again, err, first.ID)
	}
	if n := f.count(t, "organisations"); n != 1 {
		t.Errorf("organisations = %d; want 1", n)
	}
	if n := f.count(t, "outbox"); n != 1 {
		t.Errorf("outbox = %d; want 1", n)
	}
}

func TestCreateOrganisationWithATakenIDIsAlreadyExists(t *testing.T) {
	f := newFixture(t)
	f.createOrganisation(t, "caf-71")
	if _, err := f.svc.CreateOrganisation(context.Background(), organisation("caf-71")); !errors.Is(err, domain.ErrAlreadyExists) {
		t.Errorf("CreateOrganisation(%q) again = %v; want ErrAlreadyExists", "caf-71", err)
	}
}

func TestStaleEtagIsRefusedAndChangesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	created := f.createOrganisation(t, "caf-71")
	stale := created.Etag()
	updated, err := f.svc.UpdateOrganisation(ctx, "caf-71", domain.Organisation{DisplayName: "Caf 71"}, []string{"display_name"}, stale)
	if err != nil {
		t.Fatalf("UpdateOrganisation(current etag) = %v", err)
	}
	if updated.Revision != 2 || updated.Etag() == stale || !updated.UpdateTime.After(created.UpdateTime) {
		t.Errorf("UpdateOrganisation = revision %d, etag %s, updated %v; want revision 2, a new etag, a later update time", updated.Revision, updated.Etag(), updated.UpdateTime)
	}

	if got, err := f.svc.UpdateOrganisation(ctx, "caf-71", domain.Organisation{DisplayName: "Lost"}, []string{"display_name"}, stale); !errors.Is(err, resource.ErrEtagMismatch) {
		t.Errorf("UpdateOrganisation(stale etag) = %v, %v; want ErrEtagMismatch", got, err)
	}
	if _, err := f.svc.DeleteOrganisation(ctx, "caf-71", stale); !errors.Is(err, resource.ErrEtagMismatch) {
		t.Errorf("DeleteOrganisation(stale etag) = %v; want ErrEtagMismatch", err)
	}
	read, err := f.svc.GetOrganisation(ctx, "caf-71")
	if err != nil || read.DisplayName != "Caf 71" || read.Revision != 2 || read.Etag() != updated.Etag() {
		t.Errorf("GetOrganisation(%q) = %+v, %v; want it as the first update left it", "caf-71", read, err)
	}
	want := []string{subject(domain.OrganisationCreated), subject(domain.OrganisationUpdated)}
	if got := f.outboxSubjects(t); !slices.Equal(got, want) {
		t.Errorf("outbox = %q; want %q", got, want)
	}

	// The current etag, and no etag at all, are accepted.
	if _, err := f.svc.UpdateOrganisation(ctx, "caf-71", domain.Organisation{Address: "2 rue"}, []string{"address"}, ""); err != nil {
		t.Errorf("UpdateOrganisation(no etag) = %v", err)
	}
	read, _ = f.svc.GetOrganisation(ctx, "caf-71")
	if _, err := f.svc.DeleteOrganisation(ctx, "caf-71", read.Etag()); err != nil {
		t.Errorf("DeleteOrganisation(current etag) = %v", err)
	}
}

func TestUpdateOrganisationChangesOnlyTheMaskedFields(t *testing.T) {
	patch := domain.Organisation{
		ID:           "ignored",
		DisplayName:  "Patched",
		Kind:         "REGIE",
		SIRET:        "20070464000123",
		Commune:      "71270",
		Address:      "2 rue du Patch",
		Illustrative: true,
		Meta:         resource.Meta{Revision: 99},
	}
	tests := []struct {
		mask []string
	}{
		{[]string{"display_name"}},
		{[]string{"kind"}},
		{[]string{"siret"}},
		{[]string{"commune"}},
		{[]string{"address"}},
		{[]string{"display_name", "commune"}},
		{domain.OrganisationFields},
	}
	f := newFixture(t)
	ctx := context.Background()
	for i, tt := range tests {
		id := "org-" + string(rune('a'+i))
		before := f.createOrganisation(t, id)
		got, err := f.svc.UpdateOrganisation(ctx, id, patch, tt.mask, "")
		if err != nil {
			t.Errorf("UpdateOrganisation(mask %q) = %v", tt.mask, err)
			continue
		}
		want := *before
		want.Apply(&patch, tt.mask)
		read, err := f.svc.GetOrganisation(ctx, id)
		if err != nil {
			t.Fatalf("GetOrganisation(%q) = %v", id, err)
		}
		for _, o := range []*domain.Organisation{got, read} {
			if o.ID != id || o.DisplayName != want.DisplayName || o.Kind != want.Kind || o.SIRET != want.SIRET ||
				o.Commune != want.Commune || o.Address != want.Address || o.Illustrative != before.Illustrative ||
				o.Revision != 2 || !o.CreateTime.Equal(before.CreateTime) {
				t.Errorf("UpdateOrganisation(mask %q) = %+v; want %+v at revision 2", tt.mask, o, want)
			}
		}
	}
}

func TestUpdateOrganisationRejectsAnInvalidResultAndChangesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	before := f.createOrganisation(t, "caf-71")
	tests := []struct {
		patch     domain.Organisation
		mask      []string
		wantField string
	}{
		{domain.Organisation{SIRET: "73282932000075"}, []string{"siret"}, "organisation.siret"},
		{domain.Organisation{Commune: "99999"}, []string{"commune"}, "organisation.commune"},
		{domain.Organisation{DisplayName: " "}, []string{"display_name"}, "organisation.display_name"},
	}
	for _, tt := range tests {
		if _, err := f.svc.UpdateOrganisation(ctx, "caf-71", tt.patch, tt.mask, ""); !isViolationOf(err, tt.wantField) {
			t.Errorf("UpdateOrganisation(%+v, mask %q) = %v; want a violation of %q", tt.patch, tt.mask, err, tt.wantField)
		}
	}
	read, err := f.svc.GetOrganisation(ctx, "caf-71")
	if err != nil || read.Revision != before.Revision || read.SIRET != before.SIRET || read.Commune != before.Commune {
		t.Errorf("GetOrganisation(%q) = %+v, %v; want unchanged %+v", "caf-71", read, err, before)
	}
	if n := f.count(t, "outbox"); n != 1 {
		t.Errorf("outbox = %d; want 1 (the create)", n)
	}
}

func TestDeleteOrganisationWithMembersIsErrHasMembers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.createOrganisation(t, "caf-71")
	f.createMember(t, "chalonnais", "m-1", "caf-71")
	if _, err := f.svc.DeleteOrganisation(ctx, "caf-71", ""); !errors.Is(err, domain.ErrHasMembers) {
		t.Errorf("DeleteOrganisation(%q) with a member = %v; want ErrHasMembers", "caf-71", err)
	}
	if _, err := f.svc.GetOrganisation(ctx, "caf-71"); err != nil {
		t.Errorf("GetOrganisation(%q) = %v; want it kept", "caf-71", err)
	}
	if err := f.svc.DeleteMember(ctx, admin, "chalonnais", "m-1", ""); err != nil {
		t.Fatalf("DeleteMember = %v", err)
	}
	if _, err := f.svc.DeleteOrganisation(ctx, "caf-71", ""); err != nil {
		t.Errorf("DeleteOrganisation(%q) without members = %v", "caf-71", err)
	}
	if o, err := f.svc.GetOrganisation(ctx, "caf-71"); err != nil || !o.Deleted() {
		t.Errorf("GetOrganisation(%q) after delete = %+v, %v; want it, deleted", "caf-71", o, err)
	}
	want := []string{
		subject(domain.OrganisationCreated), subject(domain.MemberCreated),
		subject(domain.MemberDeleted), subject(domain.OrganisationDeleted),
	}
	if got := f.outboxSubjects(t); !slices.Equal(got, want) {
		t.Errorf("outbox = %q; want %q", got, want)
	}
}

func TestListOrganisationsPagesWithNextAfter(t *testing.T) {
	f := newFixture(t)
	for _, id := range []string{"org-c", "org-a", "org-e", "org-b", "org-d"} {
		f.createOrganisation(t, id)
	}
	tests := []struct {
		after         string
		want          []string
		wantNextAfter string
	}{
		{"", []string{"org-a", "org-b"}, "org-b"},
		{"org-b", []string{"org-c", "org-d"}, "org-d"},
		{"org-d", []string{"org-e"}, ""},
	}
	for _, tt := range tests {
		page, err := f.svc.ListOrganisations(context.Background(), domain.OrganisationQuery{After: tt.after, Limit: 2})
		if err != nil {
			t.Fatalf("ListOrganisations(after %q) = %v", tt.after, err)
		}
		var ids []string
		for _, o := range page.Items {
			ids = append(ids, o.ID)
		}
		if !slices.Equal(ids, tt.want) || page.NextAfter != tt.wantNextAfter || page.Total != 5 {
			t.Errorf("ListOrganisations(after %q, limit 2) = %q, next %q, total %d; want %q, next %q, total 5",
				tt.after, ids, page.NextAfter, page.Total, tt.want, tt.wantNextAfter)
		}
	}
}

// TestDeletedOrganisationIsKeptReadOnlyAndUndeleted: a soft delete (AIP-164) keeps the
// organisation readable with its delete time; it cannot be changed, deleted again or given new
// members until it is undeleted, and each step writes its event.
func TestDeletedOrganisationIsKeptReadOnlyAndUndeleted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.createOrganisation(t, "caf-71")
	f.createOrganisation(t, "caf-72")
	f.createMember(t, "chalonnais", "m-1", "caf-72")
	deleted, err := f.svc.DeleteOrganisation(ctx, "caf-71", "")
	if err != nil || !deleted.Deleted() || deleted.DisplayName == "" || deleted.Revision != 2 {
		t.Fatalf("DeleteOrganisation = %+v, %v; want it with its delete time and its fields, at revision 2", deleted, err)
	}
	if read, err := f.svc.GetOrganisation(ctx, "caf-71"); err != nil || !read.DeleteTime.Equal(deleted.DeleteTime) {
		t.Errorf("GetOrganisation(%q) = %+v, %v; want the deleted organisation", "caf-71", read, err)
	}
	if _, err := f.svc.UpdateOrganisation(ctx, "caf-71", domain.Organisation{Address: "x"}, []string{"address"}, ""); !errors.Is(err, domain.ErrOrganisationDeleted) {
		t.Errorf("UpdateOrganisation(deleted) = %v; want ErrOrganisationDeleted", err)
	}
	if _, err := f.svc.DeleteOrganisation(ctx, "caf-71", ""); !errors.Is(err, domain.ErrOrganisationDeleted) {
		t.Errorf("DeleteOrganisation(deleted) = %v; want ErrOrganisationDeleted", err)
	}
	m := domain.Member{Network: "chalonnais", ID: "m-2", Organisation: "caf-71", DisplayName: "B", Domains: []domain.Domain{"SOCIAL"}}
	if _, err := f.svc.CreateMember(ctx, admin, m); !errors.Is(err, domain.ErrOrganisationDeleted) {
		t.Errorf("CreateMember(of a deleted organisation) = %v; want ErrOrganisationDeleted", err)
	}
	if _, err := f.svc.UpdateMember(ctx, admin, "chalonnais", "m-1", domain.Member{Organisation: "caf-71"}, []string{"organisation"}, ""); !errors.Is(err, domain.ErrOrganisationDeleted) {
		t.Errorf("UpdateMember(to a deleted organisation) = %v; want ErrOrganisationDeleted", err)
	}
	if _, err := f.svc.UndeleteOrganisation(ctx, "caf-72", ""); !errors.Is(err, domain.ErrOrganisationNotDeleted) {
		t.Errorf("UndeleteOrganisation(not deleted) = %v; want ErrOrganisationNotDeleted", err)
	}
	if _, err := f.svc.UndeleteOrganisation(ctx, "caf-71", "stale"); !errors.Is(err, resource.ErrEtagMismatch) {
		t.Errorf("UndeleteOrganisation(stale etag) = %v; want ErrEtagMismatch", err)
	}
	restored, err := f.svc.UndeleteOrganisation(ctx, "caf-71", deleted.Etag())
	if err != nil || restored.Deleted() || restored.Revision != 3 {
		t.Fatalf("UndeleteOrganisation = %+v, %v; want it not deleted, at revision 3", restored, err)
	}
	if _, err := f.svc.CreateMember(ctx, admin, m); err != nil {
		t.Errorf("CreateMember(of the undeleted organisation) = %v", err)
	}
	want := []string{
		subject(domain.OrganisationCreated), subject(domain.OrganisationCreated), subject(domain.MemberCreated),
		subject(domain.OrganisationDeleted), subject(domain.OrganisationUndeleted), subject(domain.MemberCreated),
	}
	if got := f.outboxSubjects(t); !slices.Equal(got, want) {
		t.Errorf("outbox = %q; want %q", got, want)
	}
}

package app_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/directory/internal/domain"
)

// The two networks of the permission tests: A's coordinator must not touch B's members.
const (
	networkA = "chalonnais"
	networkB = "maconnais"
)

func TestMemberWritesNeedAnAdminOrTheNetworksCoordinator(t *testing.T) {
	tests := []struct {
		name    string
		actor   domain.Actor
		allowed bool
	}{
		{"admin", admin, true},
		{"coordinator of B", coordinator(networkB), true},
		{"coordinator of A", coordinator(networkA), false},
		{"authenticated without a role", domain.Actor{Subject: "someone"}, false},
		{"anonymous", domain.Actor{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			f.createOrganisation(t, "caf-71")
			existing := f.createMember(t, networkB, "m-1", "caf-71")

			created, err := f.svc.CreateMember(ctx, tt.actor, member(networkB, "m-2", "caf-71"))
			if (err == nil) != tt.allowed || (!tt.allowed && !errors.Is(err, resource.ErrPermissionDenied)) {
				t.Errorf("CreateMember(%s, %s) = %v, %v; want allowed %v", tt.name, networkB, created, err, tt.allowed)
			}
			updated, err := f.svc.UpdateMember(ctx, tt.actor, networkB, "m-1", domain.Member{Role: "coordinatrice"}, []string{"role"}, "")
			if (err == nil) != tt.allowed || (!tt.allowed && !errors.Is(err, resource.ErrPermissionDenied)) {
				t.Errorf("UpdateMember(%s, %s) = %v, %v; want allowed %v", tt.name, networkB, updated, err, tt.allowed)
			}
			err = f.svc.DeleteMember(ctx, tt.actor, networkB, "m-1", "")
			if (err == nil) != tt.allowed || (!tt.allowed && !errors.Is(err, resource.ErrPermissionDenied)) {
				t.Errorf("DeleteMember(%s, %s) = %v; want allowed %v", tt.name, networkB, err, tt.allowed)
			}

			page, err := f.svc.ListMembers(ctx, reader, domain.MemberQuery{Network: networkB, Limit: 10})
			if err != nil {
				t.Fatalf("ListMembers = %v", err)
			}
			wantNames := []string{existing.Name()} // a refusal leaves the network as it was
			if tt.allowed {
				wantNames = []string{"networks/" + networkB + "/members/m-2"}
			}
			var names []string
			for _, m := range page.Items {
				names = append(names, m.Name())
			}
			if !slices.Equal(names, wantNames) {
				t.Errorf("members of %s after %s's writes = %q; want %q", networkB, tt.name, names, wantNames)
			}
			if !tt.allowed {
				if page.Items[0].Role != existing.Role || page.Items[0].Revision != 1 {
					t.Errorf("member after a refused update = %+v; want unchanged %+v", page.Items[0], existing)
				}
				if n := f.count(t, "outbox"); n != 2 {
					t.Errorf("outbox after refused writes = %d; want 2 (the fixture's creates)", n)
				}
			}
		})
	}
}

func TestPermissionIsCheckedBeforeTheNetworkExists(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.createOrganisation(t, "caf-71")
	tests := []struct {
		actor domain.Actor
		want  error
	}{
		{admin, domain.ErrNotFound},
		{coordinator("atlantis"), domain.ErrNotFound},
		{coordinator(networkA), resource.ErrPermissionDenied},
	}
	for _, tt := range tests {
		_, err := f.svc.CreateMember(ctx, tt.actor, member("atlantis", "m-1", "caf-71"))
		if !errors.Is(err, tt.want) {
			t.Errorf("CreateMember(%+v, network %q) = %v; want %v", tt.actor, "atlantis", err, tt.want)
		}
	}
	if n := f.count(t, "members"); n != 0 {
		t.Errorf("members = %d; want 0", n)
	}
}

func TestMemberOfAMissingOrganisationNamesTheField(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.createOrganisation(t, "caf-71")
	m, err := f.svc.CreateMember(ctx, admin, member(networkA, "m-1", "caf-72"))
	if !isViolationOf(err, "member.organisation") {
		t.Errorf("CreateMember(organisation %q) = %v, %v (fields %q); want a violation of member.organisation", "caf-72", m, err, violatedFields(err))
	}
	if n := f.count(t, "members"); n != 0 {
		t.Errorf("members = %d; want 0", n)
	}

	f.createMember(t, networkA, "m-1", "caf-71")
	_, err = f.svc.UpdateMember(ctx, admin, networkA, "m-1", domain.Member{Organisation: "caf-72"}, []string{"organisation"}, "")
	if !isViolationOf(err, "member.organisation") {
		t.Errorf("UpdateMember(organisation %q) = %v (fields %q); want a violation of member.organisation", "caf-72", err, violatedFields(err))
	}
	read, err := f.svc.GetMember(ctx, reader, networkA, "m-1")
	if err != nil || read.Organisation != "caf-71" || read.Revision != 1 {
		t.Errorf("GetMember = %+v, %v; want it unchanged in caf-71", read, err)
	}
	if n := f.count(t, "outbox"); n != 2 {
		t.Errorf("outbox = %d; want 2 (the organisation and the one member)", n)
	}
}

func TestMemberDomainsMustBeKnownAndNotRepeat(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.createOrganisation(t, "caf-71")
	tests := []struct {
		name    string
		domains []domain.Domain
	}{
		{"repeated", []domain.Domain{"SOCIAL", "JUSTICE", "SOCIAL"}},
		{"none", nil},
		{"unknown", []domain.Domain{"ASTROLOGY"}},
	}
	for _, tt := range tests {
		m := member(networkA, "m-1", "caf-71")
		m.Domains = tt.domains
		if _, err := f.svc.CreateMember(ctx, admin, m); !isViolationOf(err, "member.domains") {
			t.Errorf("CreateMember(%s domains %q) = %v; want a violation of member.domains", tt.name, tt.domains, err)
		}
	}
	if n := f.count(t, "members"); n != 0 {
		t.Errorf("members = %d; want 0", n)
	}
	f.createMember(t, networkA, "m-1", "caf-71")
	patch := domain.Member{Domains: []domain.Domain{"HEALTH", "HEALTH"}}
	if _, err := f.svc.UpdateMember(ctx, admin, networkA, "m-1", patch, []string{"domains"}, ""); !isViolationOf(err, "member.domains") {
		t.Errorf("UpdateMember(domains %q) = %v; want a violation of member.domains", patch.Domains, err)
	}
}

func TestCreateMemberStoresSortedDomainsAtRevisionOne(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.createOrganisation(t, "caf-71")
	m := member(networkA, "", "caf-71")
	m.Domains = []domain.Domain{"SOCIAL", "CHILD_PROTECTION", "JUSTICE"}
	got, err := f.svc.CreateMember(ctx, coordinator(networkA), m)
	if err != nil {
		t.Fatalf("CreateMember = %v", err)
	}
	read, err := f.svc.GetMember(ctx, reader, networkA, got.ID)
	want := []domain.Domain{"CHILD_PROTECTION", "JUSTICE", "SOCIAL"}
	if err != nil || !slices.Equal(read.Domains, want) || read.Revision != 1 || !resource.ValidID(read.ID) {
		t.Errorf("GetMember(%q) = %+v, %v; want domains %q at revision 1 with a valid generated id", got.ID, read, err, want)
	}
}

func TestMemberStaleEtagIsRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.createOrganisation(t, "caf-71")
	created := f.createMember(t, networkA, "m-1", "caf-71")
	stale := created.Etag()
	if _, err := f.svc.UpdateMember(ctx, admin, networkA, "m-1", domain.Member{Role: "a"}, []string{"role"}, stale); err != nil {
		t.Fatalf("UpdateMember(current etag) = %v", err)
	}
	if _, err := f.svc.UpdateMember(ctx, admin, networkA, "m-1", domain.Member{Role: "b"}, []string{"role"}, stale); !errors.Is(err, resource.ErrEtagMismatch) {
		t.Errorf("UpdateMember(stale etag) = %v; want ErrEtagMismatch", err)
	}
	if err := f.svc.DeleteMember(ctx, admin, networkA, "m-1", stale); !errors.Is(err, resource.ErrEtagMismatch) {
		t.Errorf("DeleteMember(stale etag) = %v; want ErrEtagMismatch", err)
	}
	read, err := f.svc.GetMember(ctx, reader, networkA, "m-1")
	if err != nil || read.Role != "a" || read.Revision != 2 {
		t.Errorf("GetMember = %+v, %v; want role %q at revision 2", read, err, "a")
	}
}

func TestListMembersOfAnUnknownNetworkIsNotFound(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.ListMembers(context.Background(), reader, domain.MemberQuery{Network: "atlantis", Limit: 10}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("ListMembers(network %q) = %v; want ErrNotFound", "atlantis", err)
	}
}

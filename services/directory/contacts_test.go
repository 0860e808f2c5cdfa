package directory_test

import (
	"context"
	"testing"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/storage/storagetest"
	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
)

// bearer returns a context carrying a token with claims c.
func (e *env) bearer(t *testing.T, c auth.Claims) context.Context {
	t.Helper()
	c.Subject = "test-" + string(c.Role)
	return e.srv.As(t, c)
}

// TestMemberContactsAreReadByTheNetworkSideOnly: a professional's e-mail and phone are for the
// networks (admins, coordinators, readers); the Caf's, the funders' and the beneficiaries' tokens
// see who the professional is (name, role, domains, organisation), not how to reach them.
func TestMemberContactsAreReadByTheNetworkSideOnly(t *testing.T) {
	for _, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			e := start(t, d.DB)
			admin := e.as(t, auth.RoleAdmin, "")
			created, err := e.client.CreateMember(admin, &directoryv1.CreateMemberRequest{Parent: "networks/louhannais", MemberId: "camille-martin", Member: &directoryv1.Member{
				Organisation: "organisations/iscg-louhannais", DisplayName: "Camille Martin", Role: "Intervenante sociale",
				Domains: []directoryv1.Domain{directoryv1.Domain_DOMAIN_SOCIAL}, Email: "camille.martin@example.org", Phone: "+33 3 85 00 00 00",
			}})
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				who      string
				claims   auth.Claims
				contacts bool
			}{
				{"admin", auth.Claims{Role: auth.RoleAdmin}, true},
				{"coordinator of another network", auth.Claims{Role: auth.RoleCoordinator, Network: "chalonnais"}, true},
				{"reader", auth.Claims{Role: auth.RoleReader}, true},
				{"beneficiary", auth.Claims{Role: auth.RoleBeneficiary, Organisation: "garage-solidaire-bourgogne"}, false},
				{"funder", auth.Claims{Role: auth.RoleFunder, Organisation: "prefecture-71"}, false},
				{"finance", auth.Claims{Role: auth.RoleFinance}, false},
				{"fleet", auth.Claims{Role: auth.RoleFleet}, false},
			} {
				ctx := e.bearer(t, tc.claims)
				got, err := e.client.GetMember(ctx, &directoryv1.GetMemberRequest{Name: created.GetName()})
				if err != nil {
					t.Fatalf("GetMember as %s = %v", tc.who, err)
				}
				list, err := e.client.ListMembers(ctx, &directoryv1.ListMembersRequest{Parent: "networks/-"})
				if err != nil || len(list.GetMembers()) != 1 {
					t.Fatalf("ListMembers as %s = %v, %v; want the one member", tc.who, list, err)
				}
				for what, m := range map[string]*directoryv1.Member{"GetMember": got, "ListMembers": list.GetMembers()[0]} {
					if m.GetDisplayName() != "Camille Martin" || m.GetOrganisation() != "organisations/iscg-louhannais" || len(m.GetDomains()) != 1 || m.GetRole() == "" {
						t.Errorf("%s as %s = %v; want the name, role, domains and organisation", what, tc.who, m)
					}
					if hasContacts := m.GetEmail() != "" || m.GetPhone() != ""; hasContacts != tc.contacts {
						t.Errorf("%s as %s: e-mail %q, phone %q; want contacts shown: %v", what, tc.who, m.GetEmail(), m.GetPhone(), tc.contacts)
					}
				}
			}
		})
	}
}

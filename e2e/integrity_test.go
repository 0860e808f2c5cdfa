package e2e

import (
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/storage/storagetest"
	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
	fleetv1 "github.com/vif71/vif/proto/gen/go/vif/fleet/v1"
	fundingv1 "github.com/vif71/vif/proto/gen/go/vif/funding/v1"
)

// deleteOrganisation deletes name in the directory as an admin and checks that it still
// resolves, with its delete_time: what other services hold of it must never point at nothing.
func deleteOrganisation(t *testing.T, h *harness, name string) {
	t.Helper()
	admin := h.as(t, auth.RoleAdmin, "")
	before, err := h.directory.GetOrganisation(admin, &directoryv1.GetOrganisationRequest{Name: name})
	if err != nil {
		t.Fatalf("GetOrganisation(%s) = %v", name, err)
	}
	if _, err := h.directory.DeleteOrganisation(admin, &directoryv1.DeleteOrganisationRequest{Name: name}); err != nil {
		t.Fatalf("DeleteOrganisation(%s) = %v; want OK", name, err)
	}
	after, err := h.directory.GetOrganisation(admin, &directoryv1.GetOrganisationRequest{Name: name})
	if err != nil || after.GetDeleteTime() == nil || after.GetDisplayName() != before.GetDisplayName() || after.GetKind() != before.GetKind() {
		t.Errorf("GetOrganisation(%s) after its delete = %v, %v; want it, with its name, kind and delete_time", name, after, err)
	}
}

func undeleteOrganisation(t *testing.T, h *harness, name string) {
	t.Helper()
	if _, err := h.directory.UndeleteOrganisation(h.as(t, auth.RoleAdmin, ""), &directoryv1.UndeleteOrganisationRequest{Name: name}); err != nil {
		t.Fatalf("UndeleteOrganisation(%s) = %v; want OK", name, err)
	}
}

// TestDeletedBeneficiaryKeepsItsCessions: the beneficiary of declared cessions is deleted in the
// directory. Its cessions still name an organisation that resolves; a new proposal to it is
// refused with FailedPrecondition until it is undeleted.
func TestDeletedBeneficiaryKeepsItsCessions(t *testing.T) {
	directoryDBs := storagetest.Databases(t)
	for i, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			s := startFleetSuite(t, directoryDBs[i].DB, d.DB)
			s.waitForSeed(t)
			const beneficiary = "organisations/foyer-rural-autunois-morvan"
			fleet := s.as(t, auth.RoleFleet, "")
			filter := `beneficiary = "` + beneficiary + `"`
			before, err := s.fleet.ListCessions(fleet, &fleetv1.ListCessionsRequest{Filter: filter})
			if err != nil || before.GetTotalSize() == 0 {
				t.Fatalf("ListCessions(%s) = %v, %v; want the seeded cessions", filter, before, err)
			}

			deleteOrganisation(t, s.harness, beneficiary)
			after, err := s.fleet.ListCessions(fleet, &fleetv1.ListCessionsRequest{Filter: filter})
			if err != nil || after.GetTotalSize() != before.GetTotalSize() {
				t.Errorf("ListCessions(%s) after the delete = %v, %v; want the %d cessions kept", filter, after, err, before.GetTotalSize())
			}

			s.retiredVehicle(t, fleet, "e2e-integrity", 90)
			propose := func() error {
				_, err := s.fleet.ProposeCession(fleet, &fleetv1.ProposeCessionRequest{CessionId: "e2e-integrity-foyer", ProposeDate: day(2026, 1, 5),
					Cession: &fleetv1.Cession{Vehicle: "vehicles/e2e-integrity", Beneficiary: beneficiary}})
				return err
			}
			wantReason(t, "ProposeCession to a deleted beneficiary", propose(), codes.FailedPrecondition, "ORGANISATION_DELETED")
			if st := s.vehicleState(t, "vehicles/e2e-integrity"); st != fleetv1.VehicleState_VEHICLE_STATE_RETIRED {
				t.Errorf("vehicle after the refused proposal is %v; want RETIRED", st)
			}

			undeleteOrganisation(t, s.harness, beneficiary)
			if err := propose(); err != nil {
				t.Errorf("ProposeCession to the undeleted beneficiary = %v; want OK", err)
			}
		})
	}
}

// TestDeletedHostAndFunderOrganisationKeepTheirRecords: the host of an ISCG post and the
// organisation of a funder are deleted in the directory. The post and the funder still name
// organisations that resolve; a new post or funder naming them is refused with
// FailedPrecondition.
func TestDeletedHostAndFunderOrganisationKeepTheirRecords(t *testing.T) {
	directoryDBs := storagetest.Databases(t)
	for i, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			s := startSuite(t, directoryDBs[i].DB, d.DB)
			s.waitForSeed(t)
			admin := s.as(t, auth.RoleAdmin, "")
			post, err := s.funding.GetPost(admin, &fundingv1.GetPostRequest{Name: "posts/iscg-louhannais"})
			if err != nil {
				t.Fatal(err)
			}
			host := post.GetHostOrganisation()
			deleteOrganisation(t, s.harness, host)
			if got, err := s.funding.GetPost(admin, &fundingv1.GetPostRequest{Name: post.GetName()}); err != nil || got.GetHostOrganisation() != host {
				t.Errorf("GetPost(%s) after its host's delete = %v, %v; want it, hosted by %s", post.GetName(), got, err, host)
			}
			_, err = s.funding.CreatePost(admin, &fundingv1.CreatePostRequest{Post: &fundingv1.Post{
				DisplayName: "ISCG bis", Network: post.GetNetwork(), HostOrganisation: host, FteThousandths: 500, StartDate: day(2025, 1, 1),
			}})
			wantReason(t, "CreatePost hosted by a deleted organisation", err, codes.FailedPrecondition, "ORGANISATION_DELETED")

			state, err := s.funding.GetFunder(admin, &fundingv1.GetFunderRequest{Name: "funders/etat"})
			if err != nil {
				t.Fatal(err)
			}
			deleteOrganisation(t, s.harness, state.GetOrganisation())
			if got, err := s.funding.GetFunder(admin, &fundingv1.GetFunderRequest{Name: state.GetName()}); err != nil || got.GetOrganisation() != state.GetOrganisation() {
				t.Errorf("GetFunder(%s) after its organisation's delete = %v, %v; want it unchanged", state.GetName(), got, err)
			}
			_, err = s.funding.CreateFunder(admin, &fundingv1.CreateFunderRequest{Funder: &fundingv1.Funder{
				DisplayName: "État bis", Kind: fundingv1.FunderKind_FUNDER_KIND_OTHER, Organisation: state.GetOrganisation(),
			}})
			wantReason(t, "CreateFunder of a deleted organisation", err, codes.FailedPrecondition, "ORGANISATION_DELETED")

			undeleteOrganisation(t, s.harness, host)
			if _, err := s.funding.CreatePost(admin, &fundingv1.CreatePostRequest{Post: &fundingv1.Post{
				DisplayName: "ISCG bis", Network: post.GetNetwork(), HostOrganisation: host, FteThousandths: 500, StartDate: day(2025, 1, 1),
			}}); err != nil {
				t.Errorf("CreatePost hosted by the undeleted organisation = %v; want OK", err)
			}
		})
	}
}

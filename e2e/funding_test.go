package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/frid"
	"github.com/vif71/vif/platform/storage/storagetest"
	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
	fundingv1 "github.com/vif71/vif/proto/gen/go/vif/funding/v1"
)

// The resources the scenario creates, each named once: later steps and the events step refer to
// them.
const (
	newEPCIFunder = "funders/epci-chalonnais"
	newHost       = "organisations/police-chalon-sur-saone"
	newPost       = "posts/iscg-chalonnais"
	newPlan       = "posts/iscg-chalonnais/plans/2024"
	newAgreement  = "agreements/iscg-chalonnais-2024"
	// newContribution is the EPCI's share under newAgreement: called and paid in parts.
	newContribution = newAgreement + "/contributions/epci-chalonnais"
	seededAgreement = "agreements/iscg-louhannais-2024"
)

// TestFunding runs the directory and the funding service together in-process (see startSuite)
// on each database engine, and walks through what the funding service's users rely on: the
// seeded plans and totals, the checks against the directory, exact plans, the life of an
// agreement with its calls and payments, the open-data export, who may do what, and the events.
// The steps build on each other, in order.
func TestFunding(t *testing.T) {
	directoryDBs := storagetest.Databases(t)
	for i, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			s := startSuite(t, directoryDBs[i].DB, d.DB)
			s.waitForSeed(t)
			steps := []struct {
				name string
				run  func(*testing.T, *suite)
			}{
				{"seeded plans add up to the cent", testSeededPlans},
				{"funders are checked against the directory", testFunders},
				{"posts are checked against the directory", testPosts},
				{"plans are exact and revised with etags", testPlans},
				{"agreement lifecycle with calls and payments", testAgreementLifecycle},
				{"export in the SCDL subventions columns", testExport},
				{"authentication and scopes", testFundingAuth},
				{"a draft agreement is named validly and follows its plan", testDraftAgreement},
				{"events on JetStream", testFundingEvents},
			}
			for _, step := range steps {
				if !t.Run(step.name, func(t *testing.T) { step.run(t, s) }) {
					t.Fatalf("stopping after %q: the later steps build on it", step.name)
				}
			}
		})
	}
}

func day(y, m, d int32) *date.Date { return &date.Date{Year: y, Month: m, Day: d} }

// amounts maps each funder of a plan to its contribution, failing t unless they add up to the
// plan's annual cost.
func amounts(t *testing.T, p *fundingv1.FundingPlan) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	var sum int64
	for _, c := range p.GetContributions() {
		out[c.GetFunder()] = c.GetAmountCents()
		sum += c.GetAmountCents()
	}
	if sum != p.GetAnnualCostCents() {
		t.Errorf("%s: contributions add up to %d cents; want the annual cost %d", p.GetName(), sum, p.GetAnnualCostCents())
	}
	return out
}

func testSeededPlans(t *testing.T, s *suite) {
	reader := s.as(t, auth.RoleReader, "")
	plans, err := s.funding.ListFundingPlans(reader, &fundingv1.ListFundingPlansRequest{Parent: "posts/-", Filter: `year = "2024"`})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range plans.GetFundingPlans() {
		names = append(names, p.GetName())
		got := amounts(t, p)
		if p.GetAnnualCostCents() != 4_500_000 || p.GetStateShareBp() != 3300 {
			t.Errorf("%s: cost %d at State share %d bp; want 4500000 at 3300", p.GetName(), p.GetAnnualCostCents(), p.GetStateShareBp())
		}
		if got["funders/etat"] != 1_485_000 {
			t.Errorf("%s: the State pays %d; want 1485000 (33 %% of 4500000)", p.GetName(), got["funders/etat"])
		}
		if got["funders/departement-71"] != 1_507_500 {
			t.Errorf("%s: the Département pays %d; want 1507500 (half of the remainder)", p.GetName(), got["funders/departement-71"])
		}
		// The EPCIs share the other half pro rata to population: each gets the floor or the
		// ceiling of 1507500 * P_j / P.
		pops := map[string]int64{}
		var total int64
		for funder := range got {
			if !strings.HasPrefix(funder, "funders/epci-") {
				continue
			}
			e, err := s.directory.GetEpci(context.Background(), &directoryv1.GetEpciRequest{Name: "epcis/" + strings.TrimPrefix(funder, "funders/epci-")})
			if err != nil {
				t.Fatalf("GetEpci for %s: %v", funder, err)
			}
			pops[funder] = e.GetPopulation()
			total += e.GetPopulation()
		}
		if len(pops) == 0 || len(pops)+2 != len(got) {
			t.Errorf("%s: contributions %v; want the State, the Département and the network's EPCIs", p.GetName(), got)
		}
		for funder, pop := range pops {
			if diff := got[funder]*total - 1_507_500*pop; diff <= -total || diff >= total {
				t.Errorf("%s: %s (population %d of %d) pays %d; want 1507500*%d/%d rounded to a neighbouring cent",
					p.GetName(), funder, pop, total, got[funder], pop, total)
			}
		}
	}
	want := []string{"posts/iscg-charolais-brionnais/plans/2024", "posts/iscg-creusot-autun/plans/2024", "posts/iscg-louhannais/plans/2024"}
	if !slices.Equal(names, want) {
		t.Errorf("2024 plans = %v; want %v", names, want)
	}

	sum, err := s.funding.GetYearSummary(reader, &fundingv1.GetYearSummaryRequest{Year: 2024})
	if err != nil {
		t.Fatal(err)
	}
	if sum.GetTotalCostCents() != 13_500_000 || sum.GetPostCount() != 3 || sum.GetStateEffectiveShareBp() != 3300 {
		t.Errorf("GetYearSummary(2024) = total %d, %d posts, State %d bp; want 13500000, 3, 3300",
			sum.GetTotalCostCents(), sum.GetPostCount(), sum.GetStateEffectiveShareBp())
	}
	byKind := map[fundingv1.FunderKind]int64{}
	var kinds int64
	for _, k := range sum.GetByKind() {
		byKind[k.GetKind()] = k.GetAmountCents()
		kinds += k.GetAmountCents()
	}
	if kinds != sum.GetTotalCostCents() {
		t.Errorf("GetYearSummary(2024) by kind %v adds up to %d; want the total %d", byKind, kinds, sum.GetTotalCostCents())
	}
	if byKind[fundingv1.FunderKind_FUNDER_KIND_STATE] != 4_455_000 || byKind[fundingv1.FunderKind_FUNDER_KIND_DEPARTEMENT] != 4_522_500 {
		t.Errorf("GetYearSummary(2024) by kind = %v; want STATE 4455000 and DEPARTEMENT 4522500", byKind)
	}
}

func testFunders(t *testing.T, s *suite) {
	admin := s.as(t, auth.RoleAdmin, "")
	epcis, err := s.directory.ListEpcis(context.Background(), &directoryv1.ListEpcisRequest{Filter: `network = "networks/chalonnais"`})
	if err != nil || len(epcis.GetEpcis()) == 0 {
		t.Fatalf("ListEpcis(chalonnais) = %v, %v; want EPCIs", epcis, err)
	}
	epci, err := s.directory.GetEpci(context.Background(), &directoryv1.GetEpciRequest{Name: epcis.GetEpcis()[0].GetName()})
	if err != nil {
		t.Fatal(err)
	}
	created, err := s.funding.CreateFunder(admin, &fundingv1.CreateFunderRequest{
		FunderId: "epci-chalonnais",
		Funder:   &fundingv1.Funder{DisplayName: epci.GetDisplayName(), Kind: fundingv1.FunderKind_FUNDER_KIND_EPCI, Epci: epci.GetName()},
	})
	if err != nil {
		t.Fatalf("CreateFunder(%s) = %v; want OK", epci.GetName(), err)
	}
	if created.GetName() != newEPCIFunder || created.GetEpci() != epci.GetName() || created.GetKind() != fundingv1.FunderKind_FUNDER_KIND_EPCI {
		t.Errorf("CreateFunder(%s) = %v; want %s, EPCI %s", epci.GetName(), created, newEPCIFunder, epci.GetName())
	}

	// 732829320 has a valid Luhn key but is no EPCI of Saône-et-Loire.
	const unknown = "732829320"
	if !frid.ValidSIREN(unknown) {
		t.Fatalf("frid.ValidSIREN(%q) = false; the case needs a well-formed SIREN", unknown)
	}
	before := countFunders(t, s)
	for _, tc := range []struct {
		name   string
		funder *fundingv1.Funder
	}{
		{"a SIREN the referential does not know", &fundingv1.Funder{DisplayName: "CC Inconnue", Kind: fundingv1.FunderKind_FUNDER_KIND_EPCI, Epci: "epcis/" + unknown}},
		{"an EPCI funder without its EPCI", &fundingv1.Funder{DisplayName: "CC Sans SIREN", Kind: fundingv1.FunderKind_FUNDER_KIND_EPCI}},
	} {
		_, err := s.funding.CreateFunder(admin, &fundingv1.CreateFunderRequest{Funder: tc.funder})
		wantCode(t, "CreateFunder with "+tc.name, err, codes.InvalidArgument, "funder.epci")
	}
	// The organisation whose officers act for a funder is checked against the directory too: a
	// made-up one would give a funder's token for nobody, or for the wrong body.
	_, err = s.funding.CreateFunder(admin, &fundingv1.CreateFunderRequest{Funder: &fundingv1.Funder{
		DisplayName: "Fondation inconnue", Kind: fundingv1.FunderKind_FUNDER_KIND_OTHER, Organisation: "organisations/fondation-nulle-part",
	}})
	wantCode(t, "CreateFunder with an organisation the directory does not hold", err, codes.InvalidArgument, "funder.organisation")
	_, err = s.funding.UpdateFunder(admin, &fundingv1.UpdateFunderRequest{
		Funder:     &fundingv1.Funder{Name: newEPCIFunder, Organisation: "organisations/fondation-nulle-part"},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"organisation"}},
	})
	wantCode(t, "UpdateFunder to an organisation the directory does not hold", err, codes.InvalidArgument, "funder.organisation")
	if f, err := s.funding.GetFunder(admin, &fundingv1.GetFunderRequest{Name: newEPCIFunder}); err != nil || f.GetOrganisation() != "" {
		t.Errorf("GetFunder(%s) after the refused update = %v, %v; want no organisation", newEPCIFunder, f, err)
	}
	if after := countFunders(t, s); after != before {
		t.Errorf("ListFunders total = %d after the refused creates; want %d", after, before)
	}
}

func countFunders(t *testing.T, s *suite) int32 {
	t.Helper()
	resp, err := s.funding.ListFunders(s.as(t, auth.RoleReader, ""), &fundingv1.ListFundersRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetTotalSize()
}

func countPosts(t *testing.T, s *suite) int32 {
	t.Helper()
	resp, err := s.funding.ListPosts(s.as(t, auth.RoleReader, ""), &fundingv1.ListPostsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetTotalSize()
}

func testPosts(t *testing.T, s *suite) {
	admin := s.as(t, auth.RoleAdmin, "")
	post := func(change func(*fundingv1.Post)) *fundingv1.Post {
		p := &fundingv1.Post{
			DisplayName: "ISCG du Chalonnais", Network: "networks/chalonnais", HostOrganisation: newHost,
			FteThousandths: 1000, StartDate: day(2024, 1, 1),
		}
		if change != nil {
			change(p)
		}
		return p
	}
	// The host is created in the directory first, so the post's check hears of it from the
	// directory itself rather than from a seed.
	if _, err := s.directory.CreateOrganisation(admin, &directoryv1.CreateOrganisationRequest{
		OrganisationId: strings.TrimPrefix(newHost, "organisations/"),
		Organisation: &directoryv1.Organisation{
			DisplayName: "Commissariat de police de Chalon-sur-Saône", Kind: directoryv1.OrganisationKind_ORGANISATION_KIND_POLICE,
			Commune: "communes/71076",
		},
	}); err != nil {
		t.Fatal(err)
	}
	before := countPosts(t, s)
	for _, tc := range []struct {
		name  string
		post  *fundingv1.Post
		field string
	}{
		{"a host of kind CAF", post(func(p *fundingv1.Post) { p.HostOrganisation = "organisations/caf-71" }), "post.host_organisation"},
		{"a host missing from the directory", post(func(p *fundingv1.Post) { p.HostOrganisation = "organisations/nowhere" }), "post.host_organisation"},
		{"an unknown network", post(func(p *fundingv1.Post) { p.Network = "networks/nowhere" }), "post.network"},
		{"an end before the start", post(func(p *fundingv1.Post) { p.EndDate = day(2023, 12, 31) }), "post.end_date"},
		{"a start date without a year", post(func(p *fundingv1.Post) { p.StartDate = day(0, 1, 1) }), "post.start_date"},
	} {
		_, err := s.funding.CreatePost(admin, &fundingv1.CreatePostRequest{PostId: "iscg-refused", Post: tc.post})
		wantCode(t, "CreatePost with "+tc.name, err, codes.InvalidArgument, tc.field)
	}
	if after := countPosts(t, s); after != before {
		t.Errorf("ListPosts total = %d after the refused creates; want %d (nothing created)", after, before)
	}

	created, err := s.funding.CreatePost(admin, &fundingv1.CreatePostRequest{PostId: "iscg-chalonnais", Post: post(nil)})
	if err != nil {
		t.Fatalf("CreatePost hosted by %s = %v; want OK", newHost, err)
	}
	if created.GetName() != newPost || created.GetHostOrganisation() != newHost {
		t.Errorf("CreatePost = %v; want %s hosted by %s", created, newPost, newHost)
	}
	if after := countPosts(t, s); after != before+1 {
		t.Errorf("ListPosts total = %d; want %d", after, before+1)
	}
}

// explicitPlan is newPlan's input: the State's default 33 %, then the Département 60 % and the
// Chalonnais EPCI 40 % of the rest, unless shares says otherwise.
func explicitPlan(cost int64, shares ...*fundingv1.Share) *fundingv1.FundingPlan {
	if shares == nil {
		shares = []*fundingv1.Share{
			{Funder: "funders/departement-71", ShareBp: 6000},
			{Funder: newEPCIFunder, ShareBp: 4000},
		}
	}
	return &fundingv1.FundingPlan{
		AnnualCostCents: cost,
		StateFunder:     "funders/etat",
		RemainderRule:   &fundingv1.FundingPlan_ExplicitShares{ExplicitShares: &fundingv1.ExplicitShares{Shares: shares}},
	}
}

func testPlans(t *testing.T, s *suite) {
	admin := s.as(t, auth.RoleAdmin, "")
	create := func(p *fundingv1.FundingPlan) (*fundingv1.FundingPlan, error) {
		return s.funding.CreateFundingPlan(admin, &fundingv1.CreateFundingPlanRequest{Parent: newPost, Year: 2024, FundingPlan: p})
	}
	for _, tc := range []struct {
		name   string
		shares []*fundingv1.Share
	}{
		{"shares summing to 9900 bp", []*fundingv1.Share{
			{Funder: "funders/departement-71", ShareBp: 6000}, {Funder: newEPCIFunder, ShareBp: 3900},
		}},
		{"an unknown funder", []*fundingv1.Share{
			{Funder: "funders/departement-71", ShareBp: 6000}, {Funder: "funders/nobody", ShareBp: 4000},
		}},
	} {
		_, err := create(explicitPlan(4_500_001, tc.shares...))
		wantCode(t, "CreateFundingPlan with "+tc.name, err, codes.InvalidArgument, "funding_plan.explicit_shares.shares")
	}
	_, err := s.funding.GetFundingPlan(admin, &fundingv1.GetFundingPlanRequest{Name: newPlan})
	wantCode(t, "GetFundingPlan after the refused creates", err, codes.NotFound, "")

	// 4 500 001 cents: the State's 33 % is 1485000.33, the Département's 40.2 % is
	// 1809000.402 and the EPCI's 26.8 % is 1206000.268; the leftover cent goes to the largest
	// fraction, the Département's.
	plan, err := create(explicitPlan(4_500_001))
	if err != nil {
		t.Fatalf("CreateFundingPlan = %v; want OK", err)
	}
	want := map[string]int64{"funders/etat": 1_485_000, "funders/departement-71": 1_809_001, newEPCIFunder: 1_206_000}
	if got := amounts(t, plan); !mapsEqual(got, want) {
		t.Errorf("CreateFundingPlan contributions = %v; want %v", got, want)
	}
	if plan.GetName() != newPlan || plan.GetStateShareBp() != 3300 || plan.GetRevision() != 0 {
		t.Errorf("CreateFundingPlan = %s at %d bp, revision %d; want %s at the default 3300, revision 0",
			plan.GetName(), plan.GetStateShareBp(), plan.GetRevision(), newPlan)
	}
	_, err = create(explicitPlan(4_500_000))
	wantCode(t, "a second CreateFundingPlan for the same post and year", err, codes.AlreadyExists, "")

	revise := func(etag string) (*fundingv1.FundingPlan, error) {
		return s.funding.UpdateFundingPlan(admin, &fundingv1.UpdateFundingPlanRequest{
			FundingPlan: &fundingv1.FundingPlan{Name: newPlan, AnnualCostCents: 4_500_000, Etag: etag},
			UpdateMask:  &fieldmaskpb.FieldMask{Paths: []string{"annual_cost_cents"}},
		})
	}
	_, err = revise(`"0123456789abcdef"`)
	wantCode(t, "UpdateFundingPlan with a stale etag", err, codes.FailedPrecondition, "")
	revised, err := revise(plan.GetEtag())
	if err != nil {
		t.Fatalf("UpdateFundingPlan with the current etag = %v; want OK", err)
	}
	want = map[string]int64{"funders/etat": 1_485_000, "funders/departement-71": 1_809_000, newEPCIFunder: 1_206_000}
	if got := amounts(t, revised); !mapsEqual(got, want) || revised.GetRevision() != 1 || revised.GetAnnualCostCents() != 4_500_000 {
		t.Errorf("UpdateFundingPlan = %d cents, revision %d, %v; want 4500000, revision 1, %v",
			revised.GetAnnualCostCents(), revised.GetRevision(), got, want)
	}
	_, err = revise(plan.GetEtag())
	wantCode(t, "UpdateFundingPlan with the etag the revision made stale", err, codes.FailedPrecondition, "")
}

func mapsEqual(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func testAgreementLifecycle(t *testing.T, s *suite) {
	admin := s.as(t, auth.RoleAdmin, "")
	draft, err := s.funding.CreateAgreement(admin, &fundingv1.CreateAgreementRequest{Agreement: &fundingv1.Agreement{Plan: newPlan}})
	if err != nil {
		t.Fatalf("CreateAgreement(%s) = %v; want OK", newPlan, err)
	}
	if draft.GetName() != newAgreement || draft.GetState() != fundingv1.AgreementState_AGREEMENT_STATE_DRAFT || draft.GetTotalCents() != 4_500_000 {
		t.Errorf("CreateAgreement = %s %v total %d; want %s DRAFT total 4500000", draft.GetName(), draft.GetState(), draft.GetTotalCents(), newAgreement)
	}
	_, err = s.funding.CreateAgreement(admin, &fundingv1.CreateAgreementRequest{AgreementId: "iscg-chalonnais-bis", Agreement: &fundingv1.Agreement{Plan: newPlan}})
	wantCode(t, "a second CreateAgreement for the same plan", err, codes.AlreadyExists, "")
	_, err = s.funding.ActivateAgreement(admin, &fundingv1.ActivateAgreementRequest{Name: newAgreement, StartDate: day(2024, 2, 1)})
	wantCode(t, "ActivateAgreement of a draft", err, codes.FailedPrecondition, "")

	signed, err := s.funding.SignAgreement(admin, &fundingv1.SignAgreementRequest{Name: newAgreement, Reference: "CONV-2024-ISCG-CHALON", SignDate: day(2024, 1, 15)})
	if err != nil {
		t.Fatalf("SignAgreement = %v; want OK", err)
	}
	if signed.GetState() != fundingv1.AgreementState_AGREEMENT_STATE_SIGNED || signed.GetReference() != "CONV-2024-ISCG-CHALON" {
		t.Errorf("SignAgreement = %v %q; want SIGNED CONV-2024-ISCG-CHALON", signed.GetState(), signed.GetReference())
	}
	plan, err := s.funding.GetFundingPlan(admin, &fundingv1.GetFundingPlanRequest{Name: newPlan})
	if err != nil {
		t.Fatal(err)
	}
	planned := amounts(t, plan)
	list, err := s.funding.ListContributions(admin, &fundingv1.ListContributionsRequest{Parent: newAgreement})
	if err != nil {
		t.Fatal(err)
	}
	opened := map[string]int64{}
	for _, c := range list.GetContributions() {
		opened[c.GetFunder()] = c.GetAmountCents()
		if c.GetName() != newAgreement+"/contributions/"+strings.TrimPrefix(c.GetFunder(), "funders/") || c.GetCalledCents() != 0 || c.GetPaidCents() != 0 {
			t.Errorf("contribution %s of %s: called %d, paid %d; want a fresh one named after its funder", c.GetName(), c.GetFunder(), c.GetCalledCents(), c.GetPaidCents())
		}
	}
	if len(list.GetContributions()) != len(plan.GetContributions()) || !mapsEqual(opened, planned) {
		t.Errorf("ListContributions(%s) = %v; want one per planned funder: %v", newAgreement, opened, planned)
	}
	_, err = s.funding.UpdateFundingPlan(admin, &fundingv1.UpdateFundingPlanRequest{
		FundingPlan: &fundingv1.FundingPlan{Name: newPlan, AnnualCostCents: 5_000_000, Etag: plan.GetEtag()},
		UpdateMask:  &fieldmaskpb.FieldMask{Paths: []string{"annual_cost_cents"}},
	})
	wantCode(t, "UpdateFundingPlan once its agreement is signed", err, codes.FailedPrecondition, "")

	if a, err := s.funding.ActivateAgreement(admin, &fundingv1.ActivateAgreementRequest{Name: newAgreement, StartDate: day(2024, 2, 1)}); err != nil || a.GetState() != fundingv1.AgreementState_AGREEMENT_STATE_ACTIVE {
		t.Fatalf("ActivateAgreement of a signed agreement = %v, %v; want ACTIVE", a.GetState(), err)
	}

	amount := planned[newEPCIFunder]
	called, err := s.funding.CallContribution(admin, &fundingv1.CallContributionRequest{Name: newContribution, AmountCents: 1000, CallDate: day(2024, 3, 1)})
	if err != nil || called.GetCalledCents() != 1000 || called.GetDueCents() != 1000 {
		t.Fatalf("CallContribution(1000) = %v, %v; want called 1000, due 1000", called, err)
	}
	pay := func(cents int64, requestID string) (*fundingv1.Contribution, error) {
		return s.funding.RecordPayment(admin, &fundingv1.RecordPaymentRequest{
			Name: newContribution, AmountCents: cents, PaymentDate: day(2024, 4, 1), Reference: "MANDAT-" + strconv.FormatInt(cents, 10), RequestId: requestID,
		})
	}
	if c, err := pay(600, "0b7f3c1e-6a2d-4f5b-8c9e-1d2a3b4c5d60"); err != nil || c.GetPaidCents() != 600 || c.GetDueCents() != 400 {
		t.Fatalf("RecordPayment(600) = %v, %v; want paid 600, due 400", c, err)
	}
	_, err = pay(500, "")
	wantCode(t, "RecordPayment of 500 when 400 are due", err, codes.InvalidArgument, "amount_cents")
	const last = "0b7f3c1e-6a2d-4f5b-8c9e-1d2a3b4c5d61"
	for _, attempt := range []string{"first", "retry"} {
		c, err := pay(400, last)
		if err != nil {
			t.Fatalf("RecordPayment(400) %s = %v; want OK", attempt, err)
		}
		if c.GetPaidCents() != 1000 || c.GetDueCents() != 0 || c.GetOutstandingCents() != amount-1000 || len(c.GetPayments()) != 2 {
			t.Errorf("RecordPayment(400) %s = paid %d, due %d, outstanding %d, %d payments; want 1000, 0, %d, 2",
				attempt, c.GetPaidCents(), c.GetDueCents(), c.GetOutstandingCents(), len(c.GetPayments()), amount-1000)
		}
	}
	_, err = pay(1, "")
	wantCode(t, "RecordPayment when nothing is due", err, codes.InvalidArgument, "amount_cents")

	closed, err := s.funding.CloseAgreement(admin, &fundingv1.CloseAgreementRequest{Name: newAgreement, CloseDate: day(2024, 12, 31)})
	if err != nil || closed.GetState() != fundingv1.AgreementState_AGREEMENT_STATE_CLOSED {
		t.Fatalf("CloseAgreement = %v, %v; want CLOSED", closed.GetState(), err)
	}

	sum, err := s.funding.GetFunderYearSummary(admin, &fundingv1.GetFunderYearSummaryRequest{Funder: newEPCIFunder, Year: 2024})
	if err != nil {
		t.Fatal(err)
	}
	wantSum := &fundingv1.FunderYearSummary{
		Funder: newEPCIFunder, Year: 2024, PlannedCents: amount, CommittedCents: amount, CalledCents: 1000, PaidCents: 1000,
		OutstandingCents: amount - 1000, PostCount: 1,
	}
	if !proto.Equal(sum, wantSum) {
		t.Errorf("GetFunderYearSummary(%s, 2024) = %v; want %v", newEPCIFunder, sum, wantSum)
	}
	state, err := s.funding.GetFunderYearSummary(admin, &fundingv1.GetFunderYearSummaryRequest{Funder: "funders/etat", Year: 2024})
	if err != nil {
		t.Fatal(err)
	}
	if state.GetPlannedCents() != 4*1_485_000 || state.GetCommittedCents() != 1_485_000 || state.GetPostCount() != 4 || state.GetPaidCents() != 0 {
		t.Errorf("GetFunderYearSummary(etat, 2024) = %v; want planned 5940000 over 4 posts, committed 1485000, paid 0", state)
	}
}

var scdlHeader = []string{
	"nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision", "nomBeneficiaire", "idBeneficiaire",
	"rnaBeneficiaire", "objet", "montant", "nature", "conditionsVersement", "datesPeriodeVersement", "idRAE",
	"notificationUE", "pourcentageSubvention", "dispositifAide",
}

// cents reads a montant: euros with exactly two decimals.
func cents(t *testing.T, montant string) int64 {
	t.Helper()
	euros, frac, ok := strings.Cut(montant, ".")
	e, err1 := strconv.ParseInt(euros, 10, 64)
	c, err2 := strconv.ParseInt(frac, 10, 64)
	if !ok || len(frac) != 2 || err1 != nil || err2 != nil {
		t.Errorf("montant %q is not euros with two decimals", montant)
		return 0
	}
	return e*100 + c
}

func testExport(t *testing.T, s *suite) {
	admin := s.as(t, auth.RoleAdmin, "")
	// A seeded plan signed as well, so the export holds the State's 33 % of 45 000 €; and a draft,
	// which must not be published.
	if _, err := s.funding.CreateAgreement(admin, &fundingv1.CreateAgreementRequest{Agreement: &fundingv1.Agreement{Plan: "posts/iscg-louhannais/plans/2024"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.funding.SignAgreement(admin, &fundingv1.SignAgreementRequest{Name: seededAgreement, Reference: "CONV-2024-ISCG-LOUHANS", SignDate: day(2024, 2, 10)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.funding.CreateAgreement(admin, &fundingv1.CreateAgreementRequest{Agreement: &fundingv1.Agreement{Plan: "posts/iscg-creusot-autun/plans/2024", Reference: "CONV-2024-DRAFT"}}); err != nil {
		t.Fatal(err)
	}

	body, err := s.funding.ExportAgreements(s.as(t, auth.RoleReader, ""), &fundingv1.ExportAgreementsRequest{Year: 2024})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(body.GetContentType(), "text/csv") {
		t.Errorf("ExportAgreements content type = %q; want text/csv", body.GetContentType())
	}
	records, err := csv.NewReader(bytes.NewReader(body.GetData())).ReadAll()
	if err != nil || len(records) == 0 {
		t.Fatalf("ExportAgreements body is not CSV: %v\n%s", err, body.GetData())
	}
	if !slices.Equal(records[0], scdlHeader) {
		t.Errorf("ExportAgreements header = %q; want %q", records[0], scdlHeader)
	}
	col := func(name string) int { return slices.Index(scdlHeader, name) }
	rows := map[string][][]string{} // by referenceDecision
	for _, r := range records[1:] {
		if len(r) != len(scdlHeader) {
			t.Fatalf("row %q has %d columns; want %d", r, len(r), len(scdlHeader))
		}
		rows[r[col("referenceDecision")]] = append(rows[r[col("referenceDecision")]], r)
	}
	if _, ok := rows["CONV-2024-DRAFT"]; ok {
		t.Errorf("ExportAgreements published the draft agreement")
	}
	stateName := ""
	if f, err := s.funding.GetFunder(admin, &fundingv1.GetFunderRequest{Name: "funders/etat"}); err == nil {
		stateName = f.GetDisplayName()
	} else {
		t.Fatal(err)
	}
	var contributions int
	for _, name := range []string{newAgreement, seededAgreement} {
		a, err := s.funding.GetAgreement(admin, &fundingv1.GetAgreementRequest{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		cs, err := s.funding.ListContributions(admin, &fundingv1.ListContributionsRequest{Parent: name})
		if err != nil {
			t.Fatal(err)
		}
		contributions += len(cs.GetContributions())
		got := rows[a.GetReference()]
		var sum int64
		var stateRow bool
		for _, r := range got {
			sum += cents(t, r[col("montant")])
			if r[col("nomAttribuant")] == stateName && r[col("montant")] == "14850.00" {
				stateRow = true
			}
			if want := a.GetSignDate(); r[col("dateConvention")] != isoDate(want) {
				t.Errorf("%s: dateConvention %q; want %q", name, r[col("dateConvention")], isoDate(want))
			}
		}
		if len(got) != len(cs.GetContributions()) || sum != a.GetTotalCents() {
			t.Errorf("%s: %d rows summing to %d cents; want %d rows (one per contribution) summing to %d",
				name, len(got), sum, len(cs.GetContributions()), a.GetTotalCents())
		}
		if !stateRow {
			t.Errorf("%s: no row where %q gives 14850.00 € (33 %% of 45 000 €): %q", name, stateName, got)
		}
	}
	if len(records)-1 != contributions {
		t.Errorf("ExportAgreements has %d rows; want %d, one per contribution of the signed agreements", len(records)-1, contributions)
	}
}

func isoDate(d *date.Date) string {
	return fmt.Sprintf("%04d-%02d-%02d", d.GetYear(), d.GetMonth(), d.GetDay())
}

func testFundingAuth(t *testing.T, s *suite) {
	other := &fundingv1.CreateFunderRequest{Funder: &fundingv1.Funder{DisplayName: "Fondation", Kind: fundingv1.FunderKind_FUNDER_KIND_OTHER}}
	_, err := s.funding.ListFunders(context.Background(), &fundingv1.ListFundersRequest{})
	wantCode(t, "ListFunders without a token", err, codes.Unauthenticated, "")
	_, err = s.funding.CreateFunder(context.Background(), other)
	wantCode(t, "CreateFunder without a token", err, codes.Unauthenticated, "")

	reader := s.as(t, auth.RoleReader, "")
	_, err = s.funding.CreateFunder(reader, other)
	wantCode(t, "CreateFunder as reader", err, codes.PermissionDenied, "")
	_, err = s.funding.ListContributions(reader, &fundingv1.ListContributionsRequest{Parent: "agreements/-"})
	wantCode(t, "ListContributions as reader", err, codes.PermissionDenied, "")

	// The Préfecture's officers act for the State funder: they see its contributions only.
	prefecture := s.as(t, auth.RoleFunder, "prefecture-71")
	own, err := s.funding.ListContributions(prefecture, &fundingv1.ListContributionsRequest{Parent: "agreements/-"})
	if err != nil {
		t.Fatalf("ListContributions as the prefecture's funder officer = %v; want OK", err)
	}
	var names []string
	for _, c := range own.GetContributions() {
		names = append(names, c.GetName())
		if c.GetFunder() != "funders/etat" {
			t.Errorf("the prefecture's officer sees %s of %s; want the State's only", c.GetName(), c.GetFunder())
		}
	}
	want := []string{newAgreement + "/contributions/etat", seededAgreement + "/contributions/etat"}
	if !slices.Equal(names, want) || own.GetTotalSize() != 2 {
		t.Errorf("ListContributions as the prefecture's officer = %v (total %d); want %v", names, own.GetTotalSize(), want)
	}
	if _, err := s.funding.GetContribution(prefecture, &fundingv1.GetContributionRequest{Name: newAgreement + "/contributions/etat"}); err != nil {
		t.Errorf("GetContribution of the State's own contribution as its officer = %v; want OK", err)
	}
	_, err = s.funding.GetContribution(prefecture, &fundingv1.GetContributionRequest{Name: newAgreement + "/contributions/departement-71"})
	wantCode(t, "GetContribution of the Département's contribution as the prefecture's officer", err, codes.PermissionDenied, "")
	_, err = s.funding.CreateFunder(prefecture, other)
	wantCode(t, "CreateFunder as a funder's officer", err, codes.PermissionDenied, "")

	// A funder's year summary (what it was called for and paid) is read as its contributions are:
	// finance, admins and that funder's own officers.
	if _, err := s.funding.GetFunderYearSummary(prefecture, &fundingv1.GetFunderYearSummaryRequest{Funder: "funders/etat", Year: 2024}); err != nil {
		t.Errorf("GetFunderYearSummary(etat) as its officer = %v; want OK", err)
	}
	for _, tc := range []struct {
		who    string
		ctx    context.Context
		funder string
	}{
		{"the prefecture's officer", prefecture, "funders/departement-71"},
		{"the prefecture's officer, of an unknown funder", prefecture, "funders/nobody"},
		{"a reader", reader, "funders/etat"},
		{"a coordinator", s.As(t, auth.Claims{Role: auth.RoleCoordinator, Network: "chalonnais", RegisteredClaims: jwt.RegisteredClaims{Subject: "e2e-coordinator"}}), "funders/etat"},
		{"a beneficiary", s.as(t, auth.RoleBeneficiary, "garage-solidaire-bourgogne"), "funders/etat"},
	} {
		_, err := s.funding.GetFunderYearSummary(tc.ctx, &fundingv1.GetFunderYearSummaryRequest{Funder: tc.funder, Year: 2024})
		wantCode(t, "GetFunderYearSummary("+tc.funder+") as "+tc.who, err, codes.PermissionDenied, "")
	}

	finance := s.as(t, auth.RoleFinance, "")
	f, err := s.funding.CreateFunder(finance, &fundingv1.CreateFunderRequest{FunderId: "chalon-sur-saone", Funder: &fundingv1.Funder{
		DisplayName: "Ville de Chalon-sur-Saône", Kind: fundingv1.FunderKind_FUNDER_KIND_COMMUNE, Commune: "communes/71076",
	}})
	if err != nil || f.GetCommune() != "communes/71076" {
		t.Errorf("CreateFunder as finance = %v, %v; want a commune funder of 71076", f, err)
	}
	if _, err := s.funding.ListContributions(finance, &fundingv1.ListContributionsRequest{Parent: "agreements/-"}); err != nil {
		t.Errorf("ListContributions as finance = %v; want OK", err)
	}
}

// testDraftAgreement drafts the agreement of a post whose id has the maximum length: the name the
// agreement gets by default must still be one the API accepts, or the draft could never be read,
// signed or closed. Then it revises the plan: a draft's total is its plan's total as it is now.
func testDraftAgreement(t *testing.T, s *suite) {
	admin := s.as(t, auth.RoleAdmin, "")
	postID := "iscg-" + strings.Repeat("x", 58)
	if _, err := s.funding.CreatePost(admin, &fundingv1.CreatePostRequest{PostId: postID, Post: &fundingv1.Post{
		DisplayName: "ISCG au nom long", Network: "networks/chalonnais", HostOrganisation: newHost, FteThousandths: 500, StartDate: day(2025, 1, 1),
	}}); err != nil {
		t.Fatal(err)
	}
	plan, err := s.funding.CreateFundingPlan(admin, &fundingv1.CreateFundingPlanRequest{Parent: "posts/" + postID, Year: 2025, FundingPlan: explicitPlan(2_000_000,
		&fundingv1.Share{Funder: "funders/departement-71", ShareBp: 10000})})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.funding.CreateAgreement(admin, &fundingv1.CreateAgreementRequest{Agreement: &fundingv1.Agreement{Plan: plan.GetName()}})
	if err != nil {
		t.Fatalf("CreateAgreement(%s) = %v; want OK", plan.GetName(), err)
	}
	if _, err := s.funding.GetAgreement(admin, &fundingv1.GetAgreementRequest{Name: a.GetName()}); err != nil {
		t.Errorf("GetAgreement(%q) of the agreement just created = %v; want OK", a.GetName(), err)
	}

	if _, err := s.funding.UpdateFundingPlan(admin, &fundingv1.UpdateFundingPlanRequest{
		FundingPlan: &fundingv1.FundingPlan{Name: plan.GetName(), AnnualCostCents: 2_100_000},
		UpdateMask:  &fieldmaskpb.FieldMask{Paths: []string{"annual_cost_cents"}},
	}); err != nil {
		t.Fatalf("UpdateFundingPlan of a plan whose agreement is a draft = %v; want OK", err)
	}
	got, err := s.funding.GetAgreement(admin, &fundingv1.GetAgreementRequest{Name: a.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.funding.ListAgreements(admin, &fundingv1.ListAgreementsRequest{Filter: `post = "posts/` + postID + `"`})
	if err != nil || len(list.GetAgreements()) != 1 {
		t.Fatalf("ListAgreements(post = %s) = %v, %v; want the draft", postID, list, err)
	}
	if got.GetTotalCents() != 2_100_000 || list.GetAgreements()[0].GetTotalCents() != 2_100_000 {
		t.Errorf("draft total after the plan's revision: GetAgreement %d, ListAgreements %d; want the plan's 2100000",
			got.GetTotalCents(), list.GetAgreements()[0].GetTotalCents())
	}
	signed, err := s.funding.SignAgreement(admin, &fundingv1.SignAgreementRequest{Name: a.GetName(), Reference: "CONV-2025-LONG", SignDate: day(2025, 1, 10)})
	if err != nil || signed.GetTotalCents() != 2_100_000 {
		t.Errorf("SignAgreement = %v, %v; want total 2100000", signed, err)
	}
}

// testFundingEvents reads back, from JetStream, the event of every change the earlier steps made,
// as a subscriber would: on its subject, with the CloudEvents headers, and a payload that decodes
// to the message events.proto names for it. Then it checks that nothing was published twice.
func testFundingEvents(t *testing.T, s *suite) {
	agreementIn := func(state fundingv1.AgreementState, previous fundingv1.AgreementState) func(proto.Message) string {
		return func(m proto.Message) string {
			e := m.(*fundingv1.AgreementStateChanged)
			if e.GetAgreement().GetState() != state || e.GetPreviousState() != previous {
				return "" // another transition of the same agreement
			}
			return e.GetAgreement().GetName()
		}
	}
	want := []struct {
		subject string
		payload proto.Message
		name    func(proto.Message) string // the resource the event is about ("" when not ours)
		target  string
		times   int
	}{
		{"funder.created", &fundingv1.FunderCreated{}, func(m proto.Message) string { return m.(*fundingv1.FunderCreated).GetFunder().GetName() }, newEPCIFunder, 1},
		{"post.created", &fundingv1.PostCreated{}, func(m proto.Message) string { return m.(*fundingv1.PostCreated).GetPost().GetName() }, newPost, 1},
		{"plan.created", &fundingv1.FundingPlanCreated{}, func(m proto.Message) string {
			p := m.(*fundingv1.FundingPlanCreated).GetFundingPlan()
			if p.GetAnnualCostCents() != 4_500_001 || len(p.GetContributions()) != 3 {
				return ""
			}
			return p.GetName()
		}, newPlan, 1},
		{"plan.revised", &fundingv1.FundingPlanRevised{}, func(m proto.Message) string {
			e := m.(*fundingv1.FundingPlanRevised)
			if e.GetFundingPlan().GetRevision() != 1 || !slices.Equal(e.GetUpdateMask().GetPaths(), []string{"annual_cost_cents"}) {
				return ""
			}
			return e.GetFundingPlan().GetName()
		}, newPlan, 1},
		{"agreement.created", &fundingv1.AgreementCreated{}, func(m proto.Message) string { return m.(*fundingv1.AgreementCreated).GetAgreement().GetName() }, newAgreement, 1},
		{"agreement.signed", &fundingv1.AgreementStateChanged{}, agreementIn(fundingv1.AgreementState_AGREEMENT_STATE_SIGNED, fundingv1.AgreementState_AGREEMENT_STATE_DRAFT), newAgreement, 1},
		{"agreement.activated", &fundingv1.AgreementStateChanged{}, agreementIn(fundingv1.AgreementState_AGREEMENT_STATE_ACTIVE, fundingv1.AgreementState_AGREEMENT_STATE_SIGNED), newAgreement, 1},
		{"contribution.called", &fundingv1.ContributionCalled{}, func(m proto.Message) string {
			e := m.(*fundingv1.ContributionCalled)
			if e.GetAmountCents() != 1000 || e.GetCallDate().GetYear() != 2024 {
				return ""
			}
			return e.GetContribution().GetName()
		}, newContribution, 1},
		// Two payments; the retried request id must not have published a third.
		{"payment.recorded", &fundingv1.PaymentRecorded{}, func(m proto.Message) string {
			return m.(*fundingv1.PaymentRecorded).GetContribution().GetName()
		}, newContribution, 2},
		{"agreement.closed", &fundingv1.AgreementStateChanged{}, agreementIn(fundingv1.AgreementState_AGREEMENT_STATE_CLOSED, fundingv1.AgreementState_AGREEMENT_STATE_ACTIVE), newAgreement, 1},
	}
	seen := make([]int, len(want))
	complete := func() bool {
		for i, w := range want {
			if seen[i] < w.times {
				return false
			}
		}
		return true
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cons, err := s.js.OrderedConsumer(ctx, eventbus.StreamName, jetstream.OrderedConsumerConfig{FilterSubjects: []string{"vif.funding.v1.>"}})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	var payments []int64
	for {
		// Once every event has come, wait a little more for any it should not have published.
		wait := jetstream.FetchContext(ctx)
		if complete() {
			wait = jetstream.FetchMaxWait(time.Second)
		}
		msg, err := cons.Next(wait)
		if err != nil {
			if complete() {
				break
			}
			for i, w := range want {
				if seen[i] < w.times {
					t.Errorf("%s about %s: seen %d times; want %d", w.subject, w.target, seen[i], w.times)
				}
			}
			t.Fatalf("waiting for the events: %v", err)
		}
		h := msg.Headers()
		if ids[h.Get("ce-id")] {
			t.Errorf("event id %q published twice (%s)", h.Get("ce-id"), msg.Subject())
		}
		ids[h.Get("ce-id")] = true
		for i, w := range want {
			if msg.Subject() != "vif.funding.v1."+w.subject {
				continue
			}
			payload := proto.Clone(w.payload)
			if err := proto.Unmarshal(msg.Data(), payload); err != nil {
				t.Errorf("%s payload does not decode as %T: %v", msg.Subject(), w.payload, err)
				continue
			}
			if w.name(payload) != w.target {
				continue // the seed's events, and the other agreements'
			}
			seen[i]++
			if h.Get("ce-type") != msg.Subject() || h.Get("ce-source") != "/vif/funding" || h.Get("ce-id") == "" ||
				h.Get("Nats-Msg-Id") != h.Get("ce-id") || h.Get("ce-specversion") != "1.0" {
				t.Errorf("%s headers = %v; want ce-type = the subject, ce-source /vif/funding, Nats-Msg-Id = ce-id", msg.Subject(), h)
			}
			if p, ok := payload.(*fundingv1.PaymentRecorded); ok {
				payments = append(payments, p.GetPayment().GetAmountCents())
			}
		}
	}
	for i, w := range want {
		if seen[i] != w.times {
			t.Errorf("%s about %s: published %d times; want %d", w.subject, w.target, seen[i], w.times)
		}
	}
	if !slices.Equal(payments, []int64{600, 400}) {
		t.Errorf("payment.recorded amounts = %v; want [600 400]", payments)
	}
}

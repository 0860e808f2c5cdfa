package grpcapi

import (
	"context"
	"errors"
	"log/slog"
	"math/big"
	"testing"
	"time"

	"buf.build/go/protovalidate"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/vif71/vif/platform/apierr"
	fundingv1 "github.com/vif71/vif/proto/gen/go/vif/funding/v1"
	"github.com/vif71/vif/services/funding/internal/app"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// planStore is the smallest repository a plan with explicit shares needs: every post exists,
// and the funders are a fixed in-memory set. Anything else a use case asks of it panics through
// the nil embedded interface, which the fuzz target would report.
type planStore struct {
	domain.Repository
	funders map[string]*domain.Funder
}

func (planStore) GetPost(_ context.Context, id string) (*domain.Post, error) {
	return &domain.Post{ID: id, DisplayName: "ISCG", Network: "chalonnais", HostOrganisation: "police", FTEThousandths: 1000, StartDate: "2024-01-01"}, nil
}

func (s planStore) CreatePlan(_ context.Context, p *domain.Plan, check func(map[string]*domain.Funder) (*domain.Event, error)) (*domain.Plan, bool, error) {
	ev, err := check(s.funders)
	if err != nil {
		return nil, false, err
	}
	if ev == nil || ev.Plan != p {
		return nil, false, errors.New("the check approved the plan without its event")
	}
	return p, true, nil
}

var fuzzFunders = map[string]*domain.Funder{
	"etat":           {ID: "etat", Kind: domain.KindState},
	"departement-71": {ID: "departement-71", Kind: domain.KindDepartement},
	"epci-a":         {ID: "epci-a", Kind: domain.KindEPCI, EPCI: "200006682"},
	"epci-b":         {ID: "epci-b", Kind: domain.KindEPCI, EPCI: "247100589"},
	"chalon":         {ID: "chalon", Kind: domain.KindCommune, Commune: "71076"},
	"fondation":      {ID: "fondation", Kind: domain.KindOther},
}

// FuzzPlanRequestDecoding feeds arbitrary bytes through what a CreateFundingPlan body meets:
// protojson, the proto's protovalidate rules, planFromProto, then, for explicit shares, the
// server method and the app's allocation against fuzzFunders. Nothing may panic; a refused plan
// is InvalidArgument (never Internal); an accepted one is split to the cent: its contributions
// add up to the annual cost and each is the floor or the ceiling of its exact quota.
func FuzzPlanRequestDecoding(f *testing.F) {
	for _, body := range []string{
		`{"parent":"posts/iscg-chalonnais","year":2024,"fundingPlan":{"annualCostCents":"4500001","stateFunder":"funders/etat",
		  "explicitShares":{"shares":[{"funder":"funders/departement-71","shareBp":6000},{"funder":"funders/epci-a","shareBp":4000}]}}}`,
		`{"parent":"posts/p","year":2025,"fundingPlan":{"annualCostCents":"100","stateShareBp":0,
		  "explicitShares":{"shares":[{"funder":"funders/epci-a","shareBp":3333},{"funder":"funders/epci-b","shareBp":3333},{"funder":"funders/chalon","shareBp":3334}]}}}`,
		`{"parent":"posts/p","year":2024,"fundingPlan":{"annualCostCents":"10000000000","stateShareBp":10000,"stateFunder":"funders/etat",
		  "explicitShares":{"shares":[{"funder":"funders/fondation","shareBp":10000}]}}}`,
		`{"parent":"posts/p","year":2024,"fundingPlan":{"annualCostCents":"7","stateShareBp":1,"stateFunder":"funders/etat",
		  "explicitShares":{"shares":[{"funder":"funders/departement-71","shareBp":0},{"funder":"funders/epci-b","shareBp":10000}]}}}`,
		`{"parent":"posts/p","year":2024,"fundingPlan":{"annualCostCents":"4500000","stateFunder":"funders/etat",
		  "explicitShares":{"shares":[{"funder":"funders/departement-71","shareBp":6000},{"funder":"funders/epci-a","shareBp":3900}]}}}`,
		`{"parent":"posts/p","year":2024,"fundingPlan":{"annualCostCents":"4500000","stateFunder":"funders/etat",
		  "explicitShares":{"shares":[{"funder":"funders/etat","shareBp":5000},{"funder":"funders/nobody","shareBp":5000}]}}}`,
		`{"parent":"posts/p","year":2024,"fundingPlan":{"annualCostCents":"4500000","stateFunder":"funders/etat",
		  "explicitShares":{"shares":[{"funder":"funders/epci-a","shareBp":5000},{"funder":"funders/epci-a","shareBp":5000}]}}}`,
		`{"parent":"posts/p","year":2024,"fundingPlan":{"annualCostCents":"0","stateFunder":"funders/etat","explicitShares":{"shares":[]}}}`,
		`{"parent":"posts/p","year":2024,"fundingPlan":{"annualCostCents":"4500000","stateFunder":"funders/etat",
		  "populationShares":{"departementFunder":"funders/departement-71","departementShareBp":5000,"epciFunders":["funders/epci-a"]}}}`,
		`{"parent":"posts/p","year":2024,"fundingPlan":{"annualCostCents":"1","stateFunder":"funders/etat","colour":"red"}}`,
	} {
		f.Add([]byte(body))
	}
	validator, err := protovalidate.New()
	if err != nil {
		f.Fatal(err)
	}
	clock := func() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }
	server := NewServer(app.New(planStore{funders: fuzzFunders}, nil, clock, func() string { return "01hzzzzzzzzzzzzzzzzzzzzzzz" }))
	log := slog.New(slog.DiscardHandler)

	f.Fuzz(func(t *testing.T, body []byte) {
		var req fundingv1.CreateFundingPlanRequest
		if err := (protojson.UnmarshalOptions{DiscardUnknown: false}).Unmarshal(body, &req); err != nil {
			return
		}
		if err := validator.Validate(&req); err != nil {
			return // the server's interceptor answers InvalidArgument before the handler
		}
		in := req.GetFundingPlan()
		p := planFromProto(in)
		if in.StateShareBp == nil && p.StateShareBP != domain.DefaultStateShareBP {
			t.Errorf("planFromProto(%s) State share = %d; want the default %d when unset", body, p.StateShareBP, domain.DefaultStateShareBP)
		}
		if in.StateShareBp != nil && p.StateShareBP != in.GetStateShareBp() {
			t.Errorf("planFromProto(%s) State share = %d; want %d", body, p.StateShareBP, in.GetStateShareBp())
		}
		if in.GetExplicitShares() == nil {
			return // the population rule needs the directory: the e2e tests cover it
		}
		if p.Rule != domain.RuleExplicit || len(p.Shares) != len(in.GetExplicitShares().GetShares()) {
			t.Fatalf("planFromProto(%s) = rule %q with %d shares; want explicit with %d", body, p.Rule, len(p.Shares), len(in.GetExplicitShares().GetShares()))
		}

		plan, err := server.CreateFundingPlan(context.Background(), &req)
		if err != nil {
			if st := status.Convert(apierr.ToStatus(context.Background(), err, nil, log)); st.Code() != codes.InvalidArgument {
				t.Fatalf("CreateFundingPlan(%s) = %v; want InvalidArgument when refused", body, st)
			}
			return
		}
		cost := in.GetAnnualCostCents()
		weights := map[string]*big.Int{} // the exact quota of each funder is cost*weight/10000²
		if p.StateShareBP > 0 {
			weights[in.GetStateFunder()] = big.NewInt(int64(p.StateShareBP) * domain.FullBP)
		}
		for _, sh := range in.GetExplicitShares().GetShares() {
			weights[sh.GetFunder()] = big.NewInt(int64(domain.FullBP-p.StateShareBP) * int64(sh.GetShareBp()))
		}
		var sum int64
		denominator := big.NewInt(domain.FullBP * domain.FullBP)
		for _, c := range plan.GetContributions() {
			sum += c.GetAmountCents()
			w, ok := weights[c.GetFunder()]
			if !ok {
				t.Fatalf("CreateFundingPlan(%s) gives %s a contribution; the plan does not name it", body, c.GetFunder())
			}
			// |amount*10000² - cost*weight| < 10000²: the amount is a neighbouring cent of the quota.
			diff := new(big.Int).Sub(new(big.Int).Mul(big.NewInt(c.GetAmountCents()), denominator), new(big.Int).Mul(big.NewInt(cost), w))
			if diff.CmpAbs(denominator) >= 0 || c.GetAmountCents() < 0 {
				t.Errorf("CreateFundingPlan(%s): %s gets %d cents; want cost*%s/10000² rounded to a neighbouring cent", body, c.GetFunder(), c.GetAmountCents(), w)
			}
		}
		if sum != cost || plan.GetAnnualCostCents() != cost {
			t.Errorf("CreateFundingPlan(%s) contributions add up to %d (plan cost %d); want %d", body, sum, plan.GetAnnualCostCents(), cost)
		}
	})
}

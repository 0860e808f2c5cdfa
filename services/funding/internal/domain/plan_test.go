package domain_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/funding/internal/domain"
)

func TestPlanStateShareDefaultsTo33Percent(t *testing.T) {
	zero, half := int32(0), int32(5000)
	for _, tt := range []struct {
		given *int32
		want  int32
	}{
		{nil, 3300}, {&zero, 0}, {&half, 5000},
	} {
		var p domain.Plan
		p.SetStateShare(tt.given)
		if p.StateShareBP != tt.want {
			t.Errorf("SetStateShare(%v) = %d bp; want %d", tt.given, p.StateShareBP, tt.want)
		}
	}
	if domain.DefaultStateShareBP != 3300 {
		t.Errorf("DefaultStateShareBP = %d; want 3300 (33 %%)", domain.DefaultStateShareBP)
	}
}

func explicitPlan() domain.Plan {
	return domain.Plan{Post: "p", Year: 2024, AnnualCostCents: 4500000, StateShareBP: 3300, StateFunder: "etat",
		Rule: domain.RuleExplicit, Shares: []domain.Share{{Funder: "dept", BP: 5000}, {Funder: "cc", BP: 5000}}}
}

func TestPlanCheckShape(t *testing.T) {
	for _, tt := range []struct {
		name  string
		edit  func(p *domain.Plan)
		field string
	}{
		{"a whole plan", func(*domain.Plan) {}, ""},
		{"no State share, no State funder", func(p *domain.Plan) { p.StateShareBP, p.StateFunder = 0, "" }, ""},
		{"a year before 2000", func(p *domain.Plan) { p.Year = 1999 }, "year"},
		{"a year after 2100", func(p *domain.Plan) { p.Year = 2101 }, "year"},
		{"no cost", func(p *domain.Plan) { p.AnnualCostCents = 0 }, "funding_plan.annual_cost_cents"},
		{"a negative State share", func(p *domain.Plan) { p.StateShareBP = -1 }, "funding_plan.state_share_bp"},
		{"a State share over 100 %", func(p *domain.Plan) { p.StateShareBP = 10001 }, "funding_plan.state_share_bp"},
		{"a State share without its funder", func(p *domain.Plan) { p.StateFunder = "" }, "funding_plan.state_funder"},
		{"explicit shares without a share", func(p *domain.Plan) { p.Shares = nil }, "funding_plan.explicit_shares.shares"},
		{"population shares without the Département", func(p *domain.Plan) { p.Rule, p.Shares = domain.RulePopulation, nil }, "funding_plan.population_shares.departement_funder"},
		{"no remainder rule", func(p *domain.Plan) { p.Rule = "" }, "funding_plan.remainder_rule"},
	} {
		p := explicitPlan()
		tt.edit(&p)
		err := p.CheckShape()
		if tt.field == "" && err != nil || tt.field != "" && !violates(err, tt.field) {
			t.Errorf("%s: CheckShape = %v; want a violation of %q (none when empty)", tt.name, err, tt.field)
		}
	}
}

var planFunders = map[string]*domain.Funder{
	"etat": {ID: "etat", Kind: domain.KindState},
	"dept": {ID: "dept", Kind: domain.KindDepartement},
	"cc":   {ID: "cc", Kind: domain.KindEPCI},
	"cc2":  {ID: "cc2", Kind: domain.KindEPCI},
}

func TestPlanCompute(t *testing.T) {
	population := domain.Plan{Post: "p", Year: 2024, AnnualCostCents: 4500000, StateShareBP: 3300, StateFunder: "etat",
		Rule: domain.RulePopulation, DepartementFunder: "dept", DepartementShareBP: 5000, EPCIFunders: []string{"cc", "cc2"}}
	pops := map[string]int64{"cc": 30000, "cc2": 10000}
	for _, tt := range []struct {
		name string
		plan domain.Plan
		want []domain.PlannedContribution
	}{
		{"explicit: the State's 33 %, the rest half and half", explicitPlan(), []domain.PlannedContribution{
			{Funder: "etat", Kind: domain.KindState, AmountCents: 1485000},
			{Funder: "dept", Kind: domain.KindDepartement, AmountCents: 1507500},
			{Funder: "cc", Kind: domain.KindEPCI, AmountCents: 1507500},
		}},
		{"population: the Département half of the rest, the EPCIs by population", population, []domain.PlannedContribution{
			{Funder: "etat", Kind: domain.KindState, AmountCents: 1485000},
			{Funder: "dept", Kind: domain.KindDepartement, AmountCents: 1507500},
			{Funder: "cc", Kind: domain.KindEPCI, AmountCents: 1130625},
			{Funder: "cc2", Kind: domain.KindEPCI, AmountCents: 376875},
		}},
		{"no State share: the State is left out", func() domain.Plan {
			p := explicitPlan()
			p.StateShareBP = 0
			return p
		}(), []domain.PlannedContribution{
			{Funder: "dept", Kind: domain.KindDepartement, AmountCents: 2250000},
			{Funder: "cc", Kind: domain.KindEPCI, AmountCents: 2250000},
		}},
	} {
		p := tt.plan
		if err := p.Compute(planFunders, pops); err != nil || !reflect.DeepEqual(p.Contributions, tt.want) {
			t.Errorf("%s: Compute = %v, %+v; want %+v", tt.name, err, p.Contributions, tt.want)
			continue
		}
		var sum int64
		for _, c := range p.Contributions {
			sum += c.AmountCents
		}
		if sum != p.AnnualCostCents {
			t.Errorf("%s: contributions add up to %d; want the cost, %d", tt.name, sum, p.AnnualCostCents)
		}
		if tt.plan.StateShareBP == 0 && p.StateFunder != "" {
			t.Errorf("%s: State funder %q kept; want none without a share", tt.name, p.StateFunder)
		}
	}
}

func TestPlanComputeChecksTheFunders(t *testing.T) {
	for _, tt := range []struct {
		name  string
		edit  func(p *domain.Plan)
		field string
	}{
		{"a State funder of another kind", func(p *domain.Plan) { p.StateFunder = "dept" }, "funding_plan.state_funder"},
		{"a State funder that does not exist", func(p *domain.Plan) { p.StateFunder = "nobody" }, "funding_plan.state_funder"},
		{"a share of a funder that does not exist", func(p *domain.Plan) { p.Shares[1].Funder = "nobody" }, "funding_plan.explicit_shares.shares"},
		{"shares that do not make 100 %", func(p *domain.Plan) { p.Shares[1].BP = 4000 }, "funding_plan.explicit_shares.shares"},
		{"a Département of another kind", func(p *domain.Plan) {
			p.Rule, p.Shares, p.DepartementFunder, p.DepartementShareBP, p.EPCIFunders = domain.RulePopulation, nil, "cc", 5000, []string{"cc2"}
		}, "funding_plan.population_shares.departement_funder"},
		{"an EPCI funder of another kind", func(p *domain.Plan) {
			p.Rule, p.Shares, p.DepartementFunder, p.DepartementShareBP, p.EPCIFunders = domain.RulePopulation, nil, "dept", 5000, []string{"etat"}
		}, "funding_plan.population_shares.epci_funders"},
		{"a population split without an EPCI", func(p *domain.Plan) {
			p.Rule, p.Shares, p.DepartementFunder, p.DepartementShareBP = domain.RulePopulation, nil, "dept", 5000
		}, "funding_plan.population_shares"},
	} {
		p := explicitPlan()
		p.Shares = append([]domain.Share(nil), p.Shares...)
		tt.edit(&p)
		if err := p.Compute(planFunders, map[string]int64{"cc": 1, "cc2": 1, "etat": 1}); !violates(err, tt.field) {
			t.Errorf("%s: Compute = %v; want a violation of %s", tt.name, err, tt.field)
		}
	}
}

func TestPlanApplyAndRevisable(t *testing.T) {
	p := explicitPlan()
	patch := domain.Plan{AnnualCostCents: 100, StateShareBP: 0, Rule: domain.RulePopulation, DepartementFunder: "dept", DepartementShareBP: 4000, EPCIFunders: []string{"cc"}}
	p.Apply(&patch, []string{"annual_cost_cents", "state_share_bp", "explicit_shares"})
	if p.AnnualCostCents != 100 || p.StateShareBP != 0 || p.Rule != domain.RuleExplicit || len(p.Shares) != 2 {
		t.Errorf("Apply(cost, share, explicit_shares from a population patch) = %+v; want cost and share changed, the explicit rule kept", p)
	}
	p.Apply(&patch, []string{"population_shares"})
	if p.Rule != domain.RulePopulation || p.Shares != nil || p.DepartementFunder != "dept" || !reflect.DeepEqual(p.EPCIFunders, []string{"cc"}) {
		t.Errorf("Apply(population_shares) = %+v; want the population rule in place of the shares", p)
	}
	if got := p.Funders(); !reflect.DeepEqual(got, []string{"etat", "dept", "cc"}) {
		t.Errorf("Funders() = %v; want [etat dept cc]", got)
	}
	for _, st := range domain.AgreementStates {
		err := p.CheckRevisable(st)
		if st.Committed() != errors.Is(err, domain.ErrWrongState) {
			t.Errorf("CheckRevisable(%s) = %v; want ErrWrongState exactly when signed, active or closed", st, err)
		}
	}
}

// TestAgreementStateMachine runs every step from every state: the allowed steps move the
// agreement; every other is ErrWrongState and changes nothing.
func TestAgreementStateMachine(t *testing.T) {
	plan := explicitPlan()
	plan.Contributions = []domain.PlannedContribution{{Funder: "etat", Kind: domain.KindState, AmountCents: 4500000}}
	now := time.Date(2024, 2, 1, 9, 0, 0, 0, time.UTC)
	steps := []struct {
		name string
		do   func(a *domain.Agreement) error
	}{
		{"Sign", func(a *domain.Agreement) error { _, err := a.Sign(&plan, "CONV-1", "2024-02-01", now); return err }},
		{"Activate", func(a *domain.Agreement) error { return a.Activate("2024-02-02") }},
		{"Close", func(a *domain.Agreement) error { return a.Close("2024-12-31") }},
	}
	allowed := map[domain.AgreementState]map[string]domain.AgreementState{
		domain.StateDraft:  {"Sign": domain.StateSigned},
		domain.StateSigned: {"Activate": domain.StateActive, "Close": domain.StateClosed},
		domain.StateActive: {"Close": domain.StateClosed},
	}
	for _, from := range domain.AgreementStates {
		for _, st := range steps {
			a := &domain.Agreement{ID: "a", State: from}
			if from != domain.StateDraft {
				a.SignDate = "2024-02-01"
			}
			before := *a
			err := st.do(a)
			to, ok := allowed[from][st.name]
			switch {
			case !ok && (!errors.Is(err, domain.ErrWrongState) || *a != before):
				t.Errorf("%s from %s = %v, %+v; want ErrWrongState, unchanged", st.name, from, err, *a)
			case ok && (err != nil || a.State != to):
				t.Errorf("%s from %s = %v, state %s; want nil, %s", st.name, from, err, a.State, to)
			}
		}
	}
	a := &domain.Agreement{ID: "a", State: domain.StateDraft}
	cs, err := a.Sign(&plan, "  CONV-1 ", "2024-02-01", now)
	if err != nil || a.Reference != "CONV-1" || a.TotalCents != 4500000 || len(cs) != 1 || cs[0].AmountCents != 4500000 || cs[0].Year != 2024 {
		t.Errorf("Sign = %+v, %v, agreement %+v; want one contribution of the plan's amount, the reference trimmed, the total the cost", cs, err, *a)
	}
}

func TestAgreementDates(t *testing.T) {
	for _, tt := range []struct {
		name  string
		a     domain.Agreement
		do    func(a *domain.Agreement) error
		field string
	}{
		{"sign without a reference", domain.Agreement{State: domain.StateDraft}, func(a *domain.Agreement) error {
			_, err := a.Sign(&domain.Plan{}, " ", "2024-02-01", time.Time{})
			return err
		}, "reference"},
		{"sign without a day", domain.Agreement{State: domain.StateDraft}, func(a *domain.Agreement) error {
			_, err := a.Sign(&domain.Plan{}, "R", "", time.Time{})
			return err
		}, "sign_date"},
		{"activate before the signature", domain.Agreement{State: domain.StateSigned, SignDate: "2024-02-01"}, func(a *domain.Agreement) error { return a.Activate("2024-01-31") }, "start_date"},
		{"close before it took effect", domain.Agreement{State: domain.StateActive, SignDate: "2024-02-01", StartDate: "2024-03-01"}, func(a *domain.Agreement) error { return a.Close("2024-02-15") }, "close_date"},
	} {
		a := tt.a
		if err := tt.do(&a); !violates(err, tt.field) || a.State != tt.a.State {
			t.Errorf("%s = %v, state %s; want a violation of %s, the state unchanged", tt.name, err, a.State, tt.field)
		}
	}
}

func TestContributionCallAndPay(t *testing.T) {
	signed := &domain.Agreement{ID: "a", State: domain.StateSigned, SignDate: "2024-02-01"}
	c := &domain.Contribution{AmountCents: 1000}
	for _, st := range domain.AgreementStates {
		c := *c
		_, err := c.Call(signed, st, 100, "2024-03-01")
		if want := st == domain.StateSigned || st == domain.StateActive; want != (err == nil) {
			t.Errorf("Call while %s = %v; want it allowed exactly while signed or active", st, err)
		}
	}
	if _, err := c.Call(signed, domain.StateSigned, 100, "2024-01-31"); !violates(err, "call_date") {
		t.Errorf("Call before the signature = %v; want a violation of call_date", err)
	}
	if _, err := c.Call(&domain.Agreement{ID: "a"}, domain.StateSigned, 100, "2024-03-01"); !errors.Is(err, resource.ErrEtagMismatch) {
		t.Errorf("Call on an agreement read before its signature = %v; want resource.ErrEtagMismatch", err)
	}
	if _, err := c.Call(signed, domain.StateSigned, 1001, "2024-03-01"); !violates(err, "amount_cents") {
		t.Errorf("Call beyond what is owed = %v; want a violation of amount_cents", err)
	}
	if called, err := c.Call(signed, domain.StateSigned, 0, "2024-03-01"); err != nil || called != 1000 || c.CalledCents != 1000 {
		t.Errorf("Call(0) = %d, %v, called %d; want everything, 1000", called, err, c.CalledCents)
	}
	if _, err := c.Call(signed, domain.StateSigned, 0, "2024-03-01"); !errors.Is(err, domain.ErrWrongState) {
		t.Errorf("Call(0) once all is called = %v; want ErrWrongState", err)
	}
	if err := c.Pay(signed, domain.StateDraft, domain.Payment{AmountCents: 10, Date: "2024-03-02"}); !errors.Is(err, domain.ErrWrongState) {
		t.Errorf("Pay while draft = %v; want ErrWrongState", err)
	}
	if err := c.Pay(signed, domain.StateClosed, domain.Payment{AmountCents: 1001, Date: "2024-03-02"}); !violates(err, "amount_cents") {
		t.Errorf("Pay beyond what is due = %v; want a violation of amount_cents", err)
	}
	if err := c.Pay(signed, domain.StateClosed, domain.Payment{AmountCents: 400, Date: "2024-03-02"}); err != nil || c.PaidCents != 400 || len(c.Payments) != 1 {
		t.Errorf("Pay(400) once closed = %v, paid %d; want 400 paid", err, c.PaidCents)
	}
	pay := domain.Payment{AmountCents: 0, Reference: " M-1 "}
	if err := domain.CheckPayment(&pay); !violates(err, "amount_cents") || !violates(err, "payment_date") || pay.Reference != "M-1" {
		t.Errorf("CheckPayment(nothing, no day) = %v, reference %q; want both fields named, the reference trimmed", err, pay.Reference)
	}
}

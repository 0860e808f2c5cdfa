package store_test

import (
	"context"
	"slices"
	"testing"
)

var reportCases = []contractCase{
	{"plans and agreements of a year, with the committed agreements' contributions", plansAndAgreementsOfYear},
}

func plansAndAgreementsOfYear(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.signedAgreement(t, "a-signed", "p-b", 2026)
	f.planned(t, "p-a", 2026)
	f.createAgreement(t, f.agreement("a-draft", "p-a", 2026))
	f.planned(t, "p-c", 2026) // a plan without agreement
	f.signedAgreement(t, "a-other-year", "p-a", 2025)
	paid := f.pay(t, "a-signed", cd71, "req-1", 4_000, "virement")

	plans, err := f.repo.PlansOfYear(ctx, 2026)
	if got := planKeys(plans); err != nil || !slices.Equal(got, []string{"p-a/2026", "p-b/2026", "p-c/2026"}) {
		t.Errorf("PlansOfYear(2026) = %q, %v; want p-a, p-b, p-c", got, err)
	}
	if len(plans) > 0 && len(plans[0].Contributions) != 3 {
		t.Errorf("PlansOfYear(2026)[0] has %d planned contributions; want 3", len(plans[0].Contributions))
	}

	agreements, contributions, err := f.repo.AgreementsOfYear(ctx, 2026)
	if got := agreementIDs(agreements); err != nil || !slices.Equal(got, []string{"a-draft", "a-signed"}) {
		t.Errorf("AgreementsOfYear(2026) = %q, %v; want a-draft, a-signed", got, err)
	}
	if len(contributions) != 1 || len(contributions["a-signed"]) != 3 {
		t.Fatalf("AgreementsOfYear(2026) contributions = %v; want the 3 of a-signed only", contributions)
	}
	if got := contributionKeys(contributions["a-signed"]); !slices.Equal(got, []string{"a-signed/cc-a", "a-signed/cd71", "a-signed/etat"}) {
		t.Errorf("contributions of a-signed = %q; want ordered by funder", got)
	}
	if c := contributions["a-signed"][1]; !sameContribution(c, paid) {
		t.Errorf("contribution %s = %+v; want %+v with its payment", c.Name(), c, paid)
	}

	// A year without plans gives nothing, and no error.
	none, err := f.repo.PlansOfYear(ctx, 2030)
	noAgreements, noContributions, err2 := f.repo.AgreementsOfYear(ctx, 2030)
	if len(none) != 0 || len(noAgreements) != 0 || len(noContributions) != 0 || err != nil || err2 != nil {
		t.Errorf("year 2030 = %d plans, %d agreements, %d contributions, %v, %v; want none",
			len(none), len(noAgreements), len(noContributions), err, err2)
	}
}

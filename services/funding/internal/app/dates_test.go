package app_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vif71/vif/platform/storage/storagetest"
	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/funding/internal/adapters/grpcapi"
	"github.com/vif71/vif/services/funding/internal/adapters/store"
	"github.com/vif71/vif/services/funding/internal/app"
	"github.com/vif71/vif/services/funding/internal/domain"
)

var now = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// directory stands in for the directory service (another process): one network without EPCIs
// and a gendarmerie to host posts.
type directory struct{}

func (directory) NetworkEPCIs(_ context.Context, network string) ([]string, error) {
	if network == "louhannais" {
		return nil, nil
	}
	return nil, domain.ErrNotFound
}

func (directory) OrganisationKind(_ context.Context, org string) (string, error) {
	if org == "gendarmerie-louhans" {
		return "GENDARMERIE", nil
	}
	return "", domain.ErrNotFound
}

func (directory) EPCI(context.Context, string) (domain.EPCIInfo, error) {
	return domain.EPCIInfo{}, domain.ErrNotFound
}

func (directory) CommuneExists(context.Context, string) (bool, error) { return false, nil }

// newService is the funding use cases on a real SQLite store, with a fixed clock, holding the
// State and the Département as funders and a post that started on 2022-03-01 and ends on
// 2025-06-30.
func newService(t *testing.T) *app.Service {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, storagetest.SQLite(t), grpcapi.EncodeEvent, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	svc := app.New(st, directory{}, func() time.Time { return now }, func() string { n++; return fmt.Sprintf("id%d", n) })
	for _, f := range []domain.Funder{
		{ID: "etat", DisplayName: "État", Kind: domain.KindState},
		{ID: "departement-71", DisplayName: "Département de Saône-et-Loire", Kind: domain.KindDepartement},
	} {
		if _, err := svc.CreateFunder(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	_, err = svc.CreatePost(ctx, domain.Post{ID: "iscg-louhannais", DisplayName: "ISCG du Louhannais", Network: "louhannais",
		HostOrganisation: "gendarmerie-louhans", FTEThousandths: 1000, StartDate: "2022-03-01", EndDate: "2025-06-30"})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func plan(year int32) domain.Plan {
	return domain.Plan{Post: "iscg-louhannais", Year: year, AnnualCostCents: 4500000, StateShareBP: 3300, StateFunder: "etat",
		Rule: domain.RuleExplicit, Shares: []domain.Share{{Funder: "departement-71", BP: 10000}}}
}

func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	var ve *validation.Error
	if !errors.As(err, &ve) || !slices.ContainsFunc(ve.Violations, func(v validation.Violation) bool { return v.Field == field }) {
		t.Errorf("%s = %v; want InvalidArgument naming %s", what, err, field)
	}
}

func TestPlanYearWithinThePostsLife(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	for _, year := range []int32{2021, 2026} {
		_, err := svc.CreatePlan(ctx, plan(year))
		wantField(t, fmt.Sprintf("CreatePlan(%d) for a post of 2022-03-01..2025-06-30", year), err, "year")
	}
	for _, year := range []int32{2022, 2025} {
		if _, err := svc.CreatePlan(ctx, plan(year)); err != nil {
			t.Errorf("CreatePlan(%d) = %v; want OK (the post is active that year)", year, err)
		}
	}
}

// signed creates the 2024 plan and its agreement, signed on 2024-02-10.
func signed(t *testing.T, svc *app.Service) string {
	t.Helper()
	ctx := context.Background()
	if _, err := svc.CreatePlan(ctx, plan(2024)); err != nil {
		t.Fatal(err)
	}
	a, err := svc.CreateAgreement(ctx, domain.Agreement{Post: "iscg-louhannais", Year: 2024})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SignAgreement(ctx, a.ID, "CONV-2024-03", "2024-02-10", ""); err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func TestCallsAndPaymentsNotBeforeTheSignature(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	id := signed(t, svc)

	_, err := svc.CallContribution(ctx, id, "etat", 0, "2024-02-09", "")
	wantField(t, "CallContribution(the day before the signature)", err, "call_date")
	if _, err := svc.CallContribution(ctx, id, "etat", 0, "2024-02-10", ""); err != nil {
		t.Fatalf("CallContribution(the day of the signature) = %v", err)
	}
	_, err = svc.RecordPayment(ctx, id, "etat", domain.Payment{AmountCents: 100, Date: "2023-12-31", Reference: "M-0"}, "")
	wantField(t, "RecordPayment(before the signature)", err, "payment_date")
	if _, err := svc.RecordPayment(ctx, id, "etat", domain.Payment{AmountCents: 100, Date: "2024-02-10", Reference: "M-1"}, ""); err != nil {
		t.Errorf("RecordPayment(the day of the signature) = %v", err)
	}
}

func TestPaymentsListedOldestFirst(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	id := signed(t, svc)
	if _, err := svc.CallContribution(ctx, id, "etat", 0, "2024-03-01", ""); err != nil {
		t.Fatal(err)
	}
	// May's transfer is entered first, March's and April's later.
	var last *domain.Contribution
	for _, p := range []domain.Payment{
		{AmountCents: 300, Date: "2024-05-02", Reference: "M-3"},
		{AmountCents: 100, Date: "2024-03-15", Reference: "M-1"},
		{AmountCents: 200, Date: "2024-04-01", Reference: "M-2"},
		{AmountCents: 250, Date: "2024-04-01", Reference: "M-2b"},
	} {
		c, err := svc.RecordPayment(ctx, id, "etat", p, "")
		if err != nil {
			t.Fatal(err)
		}
		last = c
	}
	want := []string{"M-1", "M-2", "M-2b", "M-3"}
	refs := func(c *domain.Contribution) []string {
		var out []string
		for _, p := range c.Payments {
			out = append(out, p.Reference)
		}
		return out
	}
	if got := refs(last); !slices.Equal(got, want) {
		t.Errorf("RecordPayment's contribution lists payments %q; want oldest first %q", got, want)
	}
	read, err := svc.GetContribution(ctx, domain.Actor{Manager: true}, id, "etat")
	if err != nil || !slices.Equal(refs(read), want) {
		t.Errorf("GetContribution lists payments %q, %v; want oldest first %q", refs(read), err, want)
	}
	page, err := svc.ListContributions(ctx, domain.Actor{Manager: true}, domain.Query{Filters: map[string]string{"funder": "etat"}, Limit: 10})
	if err != nil || len(page.Items) != 1 || !slices.Equal(refs(page.Items[0]), want) {
		t.Errorf("ListContributions = %v, %v; want the State's, payments oldest first %q", page.Items, err, want)
	}
}

func TestPostDatesKeepCoveringItsPlans(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	for _, year := range []int32{2022, 2025} {
		if _, err := svc.CreatePlan(ctx, plan(year)); err != nil {
			t.Fatal(err)
		}
	}
	_, err := svc.UpdatePost(ctx, "iscg-louhannais", domain.Post{StartDate: "2023-01-01"}, []string{"start_date"}, "")
	wantField(t, "UpdatePost(start in 2023, a 2022 plan exists)", err, "post.start_date")
	_, err = svc.UpdatePost(ctx, "iscg-louhannais", domain.Post{EndDate: "2024-12-31"}, []string{"end_date"}, "")
	wantField(t, "UpdatePost(end in 2024, a 2025 plan exists)", err, "post.end_date")
	if _, err := svc.UpdatePost(ctx, "iscg-louhannais", domain.Post{StartDate: "2022-12-01", EndDate: "2025-01-31"}, []string{"start_date", "end_date"}, ""); err != nil {
		t.Errorf("UpdatePost(dates that still cover 2022 and 2025) = %v", err)
	}
}

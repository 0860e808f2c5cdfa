package store_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/services/funding/internal/domain"
)

var contributionCases = []contractCase{
	{"get contribution gives its payments oldest first; a missing one is ErrNotFound", getContribution},
	{"list contributions filters by agreement, funder and year and pages across agreements", listContributions},
	{"calling a contribution hands change the agreement's state and writes the call with its event", callContribution},
	{"a payment with a repeated request id is recorded once", paymentRecordedOnce},
	{"a request id is scoped to its contribution: on another, it records that one's payment", requestIDOfAnotherContribution},
	{"a request id for a change that records no payment is refused", requestIDWithoutPayment},
	{"a failing contribution change writes nothing", failingContributionChange},
	{"update of a missing contribution is ErrNotFound without calling change", updateMissingContribution},
	{"concurrent payments on one contribution lose none", concurrentPayments},
	{"concurrent payments with one request id record one", concurrentPaymentsOneRequestID},
}

// pay records a payment of cents on the contribution of agreement and funder.
func (f *fixture) pay(t *testing.T, agreement, funder, requestID string, cents int64, reference string) *domain.Contribution {
	t.Helper()
	var ev *domain.Event
	c, err := f.repo.UpdateContribution(paymentRequest(requestID, agreement, funder, cents, reference), agreement, funder, f.payChange(cents, reference, &ev))
	if err != nil {
		t.Fatalf("UpdateContribution(%s/%s, pay %d) = %v", agreement, funder, cents, err)
	}
	if ev != nil {
		f.wrote(ev)
	}
	return c
}

func getContribution(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.signedAgreement(t, "conv-a", "iscg-a", 2026)
	f.pay(t, "conv-a", cd71, "", 10_000, "first")
	f.pay(t, "conv-a", cd71, "", 20_000, "second")
	want := f.pay(t, "conv-a", cd71, "", 30, "third")
	got, err := f.repo.GetContribution(ctx, "conv-a", cd71)
	if err != nil || !sameContribution(got, want) {
		t.Fatalf("GetContribution = %+v, %v; want %+v", got, err, want)
	}
	var refs []string
	for _, p := range got.Payments {
		refs = append(refs, p.Reference)
	}
	if fmt.Sprint(refs) != "[first second third]" || got.PaidCents != 30_030 || got.Revision != 4 {
		t.Errorf("GetContribution = payments %q, paid %d, revision %d; want [first second third], 30030, 4", refs, got.PaidCents, got.Revision)
	}
	// Another contribution of the agreement has no payments.
	if other, err := f.repo.GetContribution(ctx, "conv-a", etat); err != nil || len(other.Payments) != 0 || other.PaidCents != 0 {
		t.Errorf("GetContribution(conv-a, etat) = %+v, %v; want no payments", other, err)
	}
	for _, k := range [][2]string{{"conv-a", ccB}, {"conv-b", cd71}} {
		if got, err := f.repo.GetContribution(ctx, k[0], k[1]); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("GetContribution(%q, %q) = %v, %v; want ErrNotFound", k[0], k[1], got, err)
		}
	}
}

func listContributions(t *testing.T, f *fixture) {
	f.signedAgreement(t, "a-3", "p-b", 2024)
	f.signedAgreement(t, "a-1", "p-a", 2024)
	f.signedAgreement(t, "a-2", "p-a", 2025)
	f.pay(t, "a-2", etat, "", 500, "paid")
	// Funders sort cc-a, cd71, etat within each agreement.
	var all []string
	for _, a := range []string{"a-1", "a-2", "a-3"} {
		for _, fu := range []string{ccA, cd71, etat} {
			all = append(all, a+"/"+fu)
		}
	}
	for _, limit := range []int{2, 4, 9} {
		pageThrough(t, "ListContributions", f.repo.ListContributions, contributionKeys, nil, limit, all)
	}
	pageThrough(t, "ListContributions(funder etat)", f.repo.ListContributions, contributionKeys,
		map[string]string{"funder": etat}, 2, []string{"a-1/etat", "a-2/etat", "a-3/etat"})
	checkList(t, "ListContributions", f.repo.ListContributions, contributionKeys, []listTest{
		{domain.Query{Filters: map[string]string{"agreement": "a-2"}, Limit: 10}, []string{"a-2/cc-a", "a-2/cd71", "a-2/etat"}, 3},
		{domain.Query{Filters: map[string]string{"year": "2024"}, Limit: 10}, []string{
			"a-1/cc-a", "a-1/cd71", "a-1/etat", "a-3/cc-a", "a-3/cd71", "a-3/etat"}, 6},
		{domain.Query{Filters: map[string]string{"funder": cd71, "year": "2024"}, Limit: 10}, []string{"a-1/cd71", "a-3/cd71"}, 2},
		{domain.Query{Filters: map[string]string{"year": "2024"}, After: "a-1/etat", Limit: 2}, []string{"a-3/cc-a", "a-3/cd71"}, 6},
	})
	// The page carries each contribution's payments.
	page, _, err := f.repo.ListContributions(context.Background(), domain.Query{Filters: map[string]string{"funder": etat}, Limit: 10})
	if err != nil || len(page) != 3 {
		t.Fatalf("ListContributions(funder etat) = %d, %v; want 3", len(page), err)
	}
	for _, c := range page {
		if wantPayments := map[string]int{"a-2": 1}[c.Agreement]; len(c.Payments) != wantPayments {
			t.Errorf("%s has %d payments; want %d", c.Name(), len(c.Payments), wantPayments)
		}
	}
}

func callContribution(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.signedAgreement(t, "conv-a", "iscg-a", 2026)
	var ev *domain.Event
	var want domain.Contribution
	got, err := f.repo.UpdateContribution(ctx, "conv-a", ccA, func(c *domain.Contribution, state domain.AgreementState) (*domain.Event, error) {
		if state != domain.StateSigned {
			t.Errorf("change got agreement state %q; want SIGNED", state)
		}
		c.CalledCents = c.AmountCents
		c.Revision++
		c.UpdateTime = f.now().Add(555)
		ev = f.event(domain.ContributionCalled)
		ev.Contribution, ev.AmountCents, ev.CallDate = c, c.AmountCents, "2026-03-15"
		want = *c
		want.UpdateTime = want.UpdateTime.Truncate(time.Microsecond)
		return ev, nil
	})
	if err != nil || !sameContribution(got, &want) || got.CalledCents != 26_800 {
		t.Fatalf("UpdateContribution(call) = %+v, %v; want %+v with its time to the microsecond", got, err, want)
	}
	f.wrote(ev)
	if read, err := f.repo.GetContribution(ctx, "conv-a", ccA); err != nil || !sameContribution(read, &want) {
		t.Errorf("GetContribution = %+v, %v; want %+v", read, err, want)
	}
	if n := f.count(t, "payments"); n != 0 {
		t.Errorf("payments = %d; want 0 after a call", n)
	}
}

func paymentRecordedOnce(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.signedAgreement(t, "conv-a", "iscg-a", 2026)
	first := f.pay(t, "conv-a", ccA, "req-1", 1_000, "virement 1")
	if first.PaidCents != 1_000 || len(first.Payments) != 1 {
		t.Fatalf("first payment = paid %d, %d payments; want 1000, 1", first.PaidCents, len(first.Payments))
	}
	called := false
	again, err := f.repo.UpdateContribution(paymentRequest("req-1", "conv-a", ccA, 1_000, "virement 1"), "conv-a", ccA, func(*domain.Contribution, domain.AgreementState) (*domain.Event, error) {
		called = true
		return nil, errRefused
	})
	if err != nil || called || !sameContribution(again, first) {
		t.Errorf("UpdateContribution(same request) = %+v, %v, change called %v; want %+v as it is, not called", again, err, called, first)
	}
	// The same request id with another payment (another amount) is refused.
	_, err = f.repo.UpdateContribution(paymentRequest("req-1", "conv-a", ccA, 1_500, "virement 1"), "conv-a", ccA, func(*domain.Contribution, domain.AgreementState) (*domain.Event, error) {
		called = true
		return nil, errRefused
	})
	if !errors.Is(err, idempotency.ErrRequestIDReused) || called {
		t.Errorf("UpdateContribution(same request id, another amount) = %v, change called %v; want ErrRequestIDReused, not called", err, called)
	}
	second := f.pay(t, "conv-a", ccA, "req-2", 2_000, "virement 2")
	if second.PaidCents != 3_000 || len(second.Payments) != 2 || second.Payments[0].Reference != "virement 1" || second.Payments[1].Reference != "virement 2" {
		t.Errorf("second payment = %+v; want paid 3000 and both payments, oldest first", second)
	}
	if read, err := f.repo.GetContribution(ctx, "conv-a", ccA); err != nil || !sameContribution(read, second) {
		t.Errorf("GetContribution = %+v, %v; want %+v", read, err, second)
	}
	if n := f.count(t, "payments"); n != 2 {
		t.Errorf("payments = %d; want 2", n)
	}
}

func requestIDOfAnotherContribution(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.signedAgreement(t, "conv-a", "iscg-a", 2026)
	f.pay(t, "conv-a", ccA, "req-1", 1_000, "")
	// The same request id and body on another contribution is that contribution's own payment:
	// it is recorded there, not answered with cc-a's.
	got := f.pay(t, "conv-a", cd71, "req-1", 1_000, "")
	if got.Funder != cd71 || got.PaidCents != 1_000 || len(got.Payments) != 1 {
		t.Errorf("pay(conv-a/cd71, request id of conv-a/cc-a) = %+v; want cd71's contribution paid 1000", got)
	}
	if read, err := f.repo.GetContribution(ctx, "conv-a", ccA); err != nil || read.PaidCents != 1_000 || len(read.Payments) != 1 {
		t.Errorf("GetContribution(conv-a/cc-a) = %+v, %v; want its one payment only", read, err)
	}
}

func requestIDWithoutPayment(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.signedAgreement(t, "conv-a", "iscg-a", 2026)
	want, _ := f.repo.GetContribution(ctx, "conv-a", ccA)
	_, err := f.repo.UpdateContribution(paymentRequest("req-1", "conv-a", ccA, 0, ""), "conv-a", ccA, func(c *domain.Contribution, _ domain.AgreementState) (*domain.Event, error) {
		c.CalledCents = c.AmountCents
		c.Revision++
		ev := f.event(domain.ContributionCalled)
		ev.Contribution, ev.AmountCents = c, c.AmountCents
		return ev, nil
	})
	if err == nil {
		t.Errorf("UpdateContribution(call with a request id) = nil; want an error")
	}
	if read, err := f.repo.GetContribution(ctx, "conv-a", ccA); err != nil || !sameContribution(read, want) {
		t.Errorf("GetContribution = %+v, %v; want unchanged %+v", read, err, want)
	}
}

func failingContributionChange(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.signedAgreement(t, "conv-a", "iscg-a", 2026)
	f.pay(t, "conv-a", ccA, "req-1", 1_000, "")
	want, _ := f.repo.GetContribution(ctx, "conv-a", ccA)
	var ev *domain.Event
	pay := f.payChange(5_000, "refused", &ev)
	_, err := f.repo.UpdateContribution(paymentRequest("req-2", "conv-a", ccA, 5_000, "refused"), "conv-a", ccA, func(c *domain.Contribution, s domain.AgreementState) (*domain.Event, error) {
		_, _ = pay(c, s)
		return nil, errRefused
	})
	if !errors.Is(err, errRefused) {
		t.Errorf("UpdateContribution(failing) = %v; want errRefused", err)
	}
	if read, err := f.repo.GetContribution(ctx, "conv-a", ccA); err != nil || !sameContribution(read, want) {
		t.Errorf("GetContribution = %+v, %v; want unchanged %+v", read, err, want)
	}
	// The refused request id was not spent: a retry (even another body) records the payment.
	if got := f.pay(t, "conv-a", ccA, "req-2", 5_000, "retried"); got.PaidCents != 6_000 || len(got.Payments) != 2 {
		t.Errorf("retry = paid %d, %d payments; want 6000, 2", got.PaidCents, len(got.Payments))
	}
}

func updateMissingContribution(t *testing.T, f *fixture) {
	f.signedAgreement(t, "conv-a", "iscg-a", 2026)
	for _, k := range [][2]string{{"conv-a", ccB}, {"conv-b", ccA}} {
		called := false
		_, err := f.repo.UpdateContribution(paymentRequest("req-1", k[0], k[1], 0, ""), k[0], k[1], func(*domain.Contribution, domain.AgreementState) (*domain.Event, error) {
			called = true
			return nil, errRefused
		})
		if !errors.Is(err, domain.ErrNotFound) || called {
			t.Errorf("UpdateContribution(%q, %q) = %v, change called %v; want ErrNotFound, not called", k[0], k[1], err, called)
		}
	}
}

// concurrentPay has writers goroutines pay 100 cents each on conv-a/cc-a, with the request id
// requestID(i) and the reference "payment "+requestID(i) (so one request id is one request),
// and returns what each call returned.
func concurrentPay(t *testing.T, f *fixture, writers int, requestID func(i int) string) []*domain.Contribution {
	t.Helper()
	f.signedAgreement(t, "conv-a", "iscg-a", 2026)
	results := make([]*domain.Contribution, writers)
	events := make([]*domain.Event, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			reference := "payment " + requestID(i)
			results[i], errs[i] = f.repo.UpdateContribution(paymentRequest(requestID(i), "conv-a", ccA, 100, reference), "conv-a", ccA,
				f.payChange(100, reference, &events[i]))
		})
	}
	wg.Wait()
	// The writes committed one after the other, each making the next revision; the goroutines
	// returned in any order. The outbox follows the commits, so the events are recorded in the
	// order of the revisions they made.
	var committed []int
	for i := range writers {
		if errs[i] == nil && events[i] != nil {
			committed = append(committed, i)
		}
	}
	slices.SortFunc(committed, func(a, b int) int { return cmp.Compare(results[a].Revision, results[b].Revision) })
	for _, i := range committed {
		f.wrote(events[i])
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("UpdateContribution #%d = %v", i, err)
		}
	}
	return results
}

func concurrentPayments(t *testing.T, f *fixture) {
	const writers = 10
	concurrentPay(t, f, writers, func(i int) string { return fmt.Sprintf("req-%d", i) })
	got, err := f.repo.GetContribution(context.Background(), "conv-a", ccA)
	if err != nil || got.PaidCents != 100*writers || len(got.Payments) != writers || got.Revision != writers+1 {
		t.Errorf("GetContribution after %d payments = %+v, %v; want paid %d, %d payments, revision %d",
			writers, got, err, 100*writers, writers, writers+1)
	}
	if n := f.count(t, "payments"); n != writers {
		t.Errorf("payments = %d; want %d", n, writers)
	}
}

func concurrentPaymentsOneRequestID(t *testing.T, f *fixture) {
	const writers = 10
	results := concurrentPay(t, f, writers, func(int) string { return "req-1" })
	for i, c := range results {
		if c == nil || c.PaidCents != 100 || len(c.Payments) != 1 {
			t.Errorf("UpdateContribution #%d = %+v; want paid 100 with one payment", i, c)
		}
	}
	if n := f.count(t, "payments"); n != 1 {
		t.Errorf("payments = %d; want 1", n)
	}
}

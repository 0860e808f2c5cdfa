package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vif71/vif/platform/grpcserver/grpctest"
)

// TestFundingOverREST runs a finance officer's year through the gateway: sign the seeded
// Louhannais plan as an agreement, call and pay the State's contribution in two parts, read the
// totals and download the open-data export.
func TestFundingOverREST(t *testing.T) {
	dataDir := t.TempDir()
	in, _ := startEmbedded(t, dataDir)
	base := "http://" + in.httpAddr
	finance := tokenFor(t, dataDir, "--role", "finance")
	reader := tokenFor(t, dataDir, "--role", "reader")
	state := tokenFor(t, dataDir, "--role", "funder", "--organisation", "prefecture-71")

	if !grpctest.Within(seedWait, 50*time.Millisecond, func() bool {
		return call(t, "GET", base+"/v1/posts/iscg-louhannais/plans/2024", reader, "").status == 200
	}) {
		t.Fatal("the seeded plan of posts/iscg-louhannais never appeared")
	}

	steps := []struct {
		method, path, token, body string
		want                      int
	}{
		{"POST", "/v1/agreements", reader, `{"plan":"posts/iscg-louhannais/plans/2024"}`, 403},
		{"POST", "/v1/agreements", finance, `{"plan":"posts/iscg-louhannais/plans/2024"}`, 200},
		{"POST", "/v1/agreements:sign", finance, `{}`, 404},
		{"POST", "/v1/agreements/iscg-louhannais-2024:sign", finance, `{"reference":"CONV-2024-03"}`, 400}, // no sign date
		{"POST", "/v1/agreements/iscg-louhannais-2024:sign", finance, `{"reference":"CONV-2024-03","signDate":{"year":2024,"month":2,"day":1}}`, 200},
		{"POST", "/v1/agreements/iscg-louhannais-2024:sign", finance, `{"reference":"CONV-2024-03","signDate":{"year":2024,"month":2,"day":1}}`, 409}, // already signed
		{"PATCH", "/v1/posts/iscg-louhannais/plans/2024?updateMask=annualCostCents", finance, `{"annualCostCents":"5000000"}`, 409},
		{"POST", "/v1/agreements/iscg-louhannais-2024/contributions/etat:call", finance, `{"callDate":{"year":2024,"month":3,"day":1}}`, 200},
		{"POST", "/v1/agreements/iscg-louhannais-2024/contributions/etat:recordPayment", finance, `{"amountCents":"1000000","paymentDate":{"year":2024,"month":4,"day":1},"reference":"M-1"}`, 200},
		{"POST", "/v1/agreements/iscg-louhannais-2024/contributions/etat:recordPayment", finance, `{"amountCents":"1000000","paymentDate":{"year":2024,"month":5,"day":1},"reference":"M-2"}`, 400}, // more than due
		{"POST", "/v1/agreements/iscg-louhannais-2024/contributions/etat:recordPayment", finance, `{"amountCents":"485000","paymentDate":{"year":2024,"month":5,"day":1},"reference":"M-2"}`, 200},
		{"GET", "/v1/agreements/-/contributions", reader, "", 403},
		{"GET", "/v1/agreements/iscg-louhannais-2024/contributions/departement-71", state, "", 403},
	}
	for _, s := range steps {
		if r := call(t, s.method, base+s.path, s.token, s.body); r.status != s.want {
			t.Errorf("%s %s %s = %d %v; want %d", s.method, s.path, s.body, r.status, r.body, s.want)
		}
	}

	own := call(t, "GET", base+"/v1/agreements/-/contributions", state, "")
	contributions, _ := own.body["contributions"].([]any)
	if own.status != 200 || len(contributions) != 1 {
		t.Fatalf("the State's officers list %d %v; want their one contribution", own.status, own.body)
	}
	if c := contributions[0].(map[string]any); c["paidCents"] != "1485000" || c["outstandingCents"] != nil {
		t.Errorf("State contribution = %v; want 1 485 000 paid and nothing outstanding", c)
	}
	// A funder's year summary is read as its contributions are: by its own officers (and
	// finance, admins), not by any reader.
	if r := call(t, "GET", base+"/v1/funders/etat:yearSummary?year=2024", reader, ""); r.status != 403 {
		t.Errorf("GET /v1/funders/etat:yearSummary as reader = %d %v; want 403", r.status, r.body)
	}
	sum := call(t, "GET", base+"/v1/funders/etat:yearSummary?year=2024", state, "")
	if sum.body["committedCents"] != "1485000" || sum.body["paidCents"] != "1485000" || sum.body["plannedCents"] != "4455000" {
		t.Errorf("State year summary = %v; want 1 485 000 committed and paid of 4 455 000 planned", sum.body)
	}

	req, _ := http.NewRequest("GET", base+"/v1/agreements:export?year=2024", nil)
	req.Header.Set("Authorization", "Bearer "+reader)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	csv, _ := io.ReadAll(resp.Body)
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(lines[0], "nomAttribuant,idAttribuant,dateConvention,") || len(lines) != 5 {
		t.Errorf("export = %d %q, %d lines:\n%s\nwant CSV with the SCDL header and 4 rows", resp.StatusCode, resp.Header.Get("Content-Type"), len(lines), csv)
	}
}

package main

import (
	"slices"
	"testing"
	"time"

	"github.com/vif71/vif/platform/grpcserver/grpctest"
)

// TestRequestIDIsScopedToTheCallerOverREST is issue 8's scenario through the gateway: two
// coordinators of two networks (both tokens carry the CLI's default subject, "coordinator") send
// the same request_id; each gets their own report. The same coordinator sending that request_id
// again replays their report, and with another body is told REQUEST_ID_REUSED (400) instead of
// being answered with the first report while their counts are dropped.
func TestRequestIDIsScopedToTheCallerOverREST(t *testing.T) {
	dataDir := t.TempDir()
	in, _ := startEmbedded(t, dataDir)
	base := "http://" + in.httpAddr
	louhannais := tokenFor(t, dataDir, "--role", "coordinator", "--network", "louhannais")
	chalonnais := tokenFor(t, dataDir, "--role", "coordinator", "--network", "chalonnais")

	// The seed writes the national figures last; reports of the networks come before.
	if !grpctest.Within(seedWait, 100*time.Millisecond, func() bool {
		return call(t, "GET", base+"/v1/nationalFigures", "", "").body["totalSize"] == 2.0
	}) {
		t.Fatal("the statistics seed did not finish in 2 minutes")
	}

	const requestID = "5f0c3e1a-7b2d-4c8e-9a61-2d4b6f8e0a13"
	victims := func(r response) any {
		figures, _ := r.body["figures"].(map[string]any)
		v, _ := figures["victimsSupported"].(map[string]any)
		return v["value"]
	}
	submit := func(token, network, victims string) response {
		return call(t, "POST", base+"/v1/networks/"+network+"/reports", token,
			`{"period":"2024-02","counts":{"victimsSupported":"`+victims+`"},"requestId":"`+requestID+`"}`)
	}

	first := submit(louhannais, "louhannais", "12")
	if first.status != 200 || first.body["name"] != "networks/louhannais/reports/2024-02" || first.body["revision"] != "1" {
		t.Fatalf("louhannais submits with %s = %d %v; want 200, its revision 1", requestID, first.status, first.body)
	}
	other := submit(chalonnais, "chalonnais", "30")
	if other.status != 200 || other.body["name"] != "networks/chalonnais/reports/2024-02" || victims(other) != "30" {
		t.Errorf("chalonnais submits with the same request_id = %d %v; want 200, its own report of 30 victims", other.status, other.body)
	}
	stored := call(t, "GET", base+"/v1/networks/chalonnais/reports/2024-02", chalonnais, "")
	if stored.status != 200 || stored.body["revision"] != "1" || victims(stored) != "30" {
		t.Errorf("GET chalonnais's report = %d %v; want revision 1, 30 victims: the submission is not lost", stored.status, stored.body)
	}

	retry := submit(louhannais, "louhannais", "12")
	if retry.status != 200 || retry.body["revision"] != "1" || victims(retry) != "12" {
		t.Errorf("louhannais retries the same request = %d %v; want 200, revision 1 again", retry.status, retry.body)
	}
	reused := submit(louhannais, "louhannais", "13")
	reason, fields := errorDetails(reused)
	if reused.status != 400 || reason != "REQUEST_ID_REUSED" ||
		!(slices.Contains(fields, "request_id") || slices.Contains(fields, "requestId")) {
		t.Errorf("louhannais reuses the request_id with other counts = %d %v; want 400 REQUEST_ID_REUSED naming request_id", reused.status, reused.body)
	}
	own := call(t, "GET", base+"/v1/networks/louhannais/reports/2024-02", louhannais, "")
	if own.status != 200 || own.body["revision"] != "1" || victims(own) != "12" {
		t.Errorf("GET louhannais's report = %d %v; want revision 1, 12 victims: neither the retry nor the reuse wrote", own.status, own.body)
	}
}

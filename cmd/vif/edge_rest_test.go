package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// logSink collects the JSON log lines of a running instance.
type logSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// lines returns the lines that have every attribute of want.
func (s *logSink) lines(t *testing.T, want map[string]string) []map[string]any {
	t.Helper()
	s.mu.Lock()
	text := s.buf.String()
	s.mu.Unlock()
	var out []map[string]any
	for l := range strings.Lines(text) {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", l, err)
		}
		keep := true
		for k, v := range want {
			if m[k] != v {
				keep = false
			}
		}
		if keep {
			out = append(out, m)
		}
	}
	return out
}

// startLogging is startEmbedded with the instance's JSON log written to the returned sink, as
// `vif serve` writes it to stderr.
func startLogging(t *testing.T, dataDir string) (*instance, *logSink) {
	t.Helper()
	sink := &logSink{}
	ctx, cancel := context.WithCancel(context.Background())
	in, err := start(ctx, settings{
		dataDir: dataDir, httpAddr: "127.0.0.1:0", grpcAddr: "127.0.0.1:0", natsAddr: "127.0.0.1:0",
		seed: true, log: slog.New(slog.NewJSONHandler(sink, nil)),
	})
	if err != nil {
		cancel()
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := in.wait(); err != nil {
			t.Errorf("embedded default stopped with %v", err)
		}
	})
	return in, sink
}

// send is call with a request id header and the response's X-Request-Id.
func send(t *testing.T, method, url, token, requestID, body string) (response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if requestID != "" {
		req.Header.Set("X-Request-Id", requestID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var decoded map[string]any
	if err := json.Unmarshal(raw, &decoded); err != nil {
		t.Fatalf("%s %s: body is not JSON: %q", method, url, raw)
	}
	return response{status: resp.StatusCode, body: decoded}, resp.Header.Get("X-Request-Id")
}

// TestInvalidUTF8IsA400NamingTheParameter: bytes that are not UTF-8 in a path segment, a query
// parameter or a body string reached grpc-go, which refused to marshal the request; the client
// read a 500 and the log an ERROR.
func TestInvalidUTF8IsA400NamingTheParameter(t *testing.T) {
	dataDir := t.TempDir()
	in, logs := startLogging(t, dataDir)
	base := "http://" + in.httpAddr
	admin := tokenFor(t, dataDir, "--role", "admin")
	tests := []struct{ method, path, body, field string }{
		{"GET", "/v1/networks/chal%ffonnais", "", "name"},
		{"GET", "/v1/organisations?filter=%ff", "", "filter"},
		{"POST", "/v1/organisations", "{\"displayName\":\"Caf\xff\",\"kind\":\"ORGANISATION_KIND_CAF\"}", "organisation.displayName"},
		{"POST", "/v1/vehicles/clio-2015:retire", "{\"retireDate\":{\"year\":2026,\"month\":1,\"day\":5},\"etag\":\"\xc3\"}", "etag"},
	}
	for _, tt := range tests {
		r := call(t, tt.method, base+tt.path, admin, tt.body)
		reason, fields := errorDetails(r)
		if r.status != 400 || reason != "INVALID_ARGUMENT" || len(fields) != 1 || fields[0] != tt.field {
			t.Errorf("%s %s %q = %d %v; want 400 INVALID_ARGUMENT naming %s", tt.method, tt.path, tt.body, r.status, r.body, tt.field)
		}
	}
	if errs := logs.lines(t, map[string]string{"level": "ERROR"}); len(errs) > 0 {
		t.Errorf("ERROR lines %v; want none for bad input", errs)
	}
}

// TestRequestIDFollowsTheCall: one id on the access line of the gateway, the rpc line and the
// audit line of the service, generated when the client sent none or one unfit for a log, and
// answered in X-Request-Id.
func TestRequestIDFollowsTheCall(t *testing.T) {
	dataDir := t.TempDir()
	in, logs := startLogging(t, dataDir)
	base := "http://" + in.httpAddr
	admin := tokenFor(t, dataDir, "--role", "admin", "--subject", "alice")

	for _, sent := range []string{"client-req-0001", "", "forged\" msg=\"x"} {
		r, id := send(t, "POST", base+"/v1/organisations", admin, sent,
			`{"displayName":"Maison des femmes de Mâcon","kind":"ORGANISATION_KIND_ASSOCIATION"}`)
		if r.status != 200 {
			t.Fatalf("POST /v1/organisations = %d %v; want 200", r.status, r.body)
		}
		switch {
		case sent == "client-req-0001" && id != sent:
			t.Errorf("X-Request-Id = %q; want the client's %q", id, sent)
		case sent != "client-req-0001" && (id == "" || id == sent):
			t.Errorf("sent %q: X-Request-Id = %q; want a generated id", sent, id)
		}
		byID := map[string]string{"request_id": id}
		// The access line names the method: the service's own line of a call that succeeded in
		// process is at debug level, so the request has one info line besides its audit.
		access := logs.lines(t, map[string]string{"msg": "http request", "request_id": id, "rpc": "/vif.directory.v1.DirectoryService/CreateOrganisation"})
		rpc := logs.lines(t, map[string]string{"msg": "rpc", "request_id": id})
		audit := logs.lines(t, map[string]string{"msg": "audit", "request_id": id, "who": "alice", "outcome": "ok"})
		if len(access) != 1 || len(rpc) != 0 || len(audit) != 1 {
			t.Errorf("id %q: %d access, %d rpc, %d audit lines; want one access line naming the method, no rpc line, one audit (all lines with it: %v)",
				id, len(access), len(rpc), len(audit), logs.lines(t, byID))
			continue
		}
		// The audit line names what was written: the name the service gave, not the body's.
		if got := audit[0]["resource"]; got != r.body["name"] {
			t.Errorf("audit resource = %v; want the created %v", got, r.body["name"])
		}
	}
}

// TestRequestIDCrossesServices: the directory call that funding makes to check a funder's
// commune logs under the id of the REST call that caused it.
func TestRequestIDCrossesServices(t *testing.T) {
	dataDir := t.TempDir()
	in, logs := startLogging(t, dataDir)
	base := "http://" + in.httpAddr
	admin := tokenFor(t, dataDir, "--role", "admin")
	r, id := send(t, "POST", base+"/v1/funders?funderId=tournus", admin, "cross-service-1",
		`{"displayName":"Ville de Tournus","kind":"FUNDER_KIND_COMMUNE","commune":"communes/71543"}`)
	if id != "cross-service-1" {
		t.Fatalf("POST /v1/funders = %d %v, X-Request-Id %q; want the client's id", r.status, r.body, id)
	}
	if got := logs.lines(t, map[string]string{"msg": "rpc", "request_id": id, "method": "/vif.directory.v1.DirectoryService/GetCommune"}); len(got) != 1 {
		t.Errorf("directory GetCommune rpc lines with request_id %s: %v; want one (all its lines: %v)", id, got, logs.lines(t, map[string]string{"request_id": id}))
	}
}

// TestWriteRefusedByTheGatewayIsAudited: a write the gateway refuses itself never reaches a
// service, so the gateway writes its audit line, naming the caller from the verified token.
func TestWriteRefusedByTheGatewayIsAudited(t *testing.T) {
	dataDir := t.TempDir()
	in, logs := startLogging(t, dataDir)
	base := "http://" + in.httpAddr
	coordinator := tokenFor(t, dataDir, "--role", "coordinator", "--network", "chalonnais", "--subject", "carole")

	tests := []struct{ path, body, reason string }{
		{"/v1/networks/chalonnais/members", `{"displayName":5}`, "INVALID_ARGUMENT"},
		{"/v1/networks/chalonnais/members?memberID=x", `{"displayName":"Carole"}`, "INVALID_ARGUMENT"},
		{"/v1/networks/chalonnais/members", `{"displayName":`, "MALFORMED_JSON"},
	}
	for _, tt := range tests {
		r, id := send(t, "POST", base+tt.path, coordinator, "", tt.body)
		if r.status != 400 {
			t.Fatalf("POST %s %s = %d %v; want 400", tt.path, tt.body, r.status, r.body)
		}
		want := map[string]string{"msg": "audit", "request_id": id, "who": "carole", "role": "coordinator",
			"network": "chalonnais", "method": "/vif.directory.v1.DirectoryService/CreateMember",
			"outcome": "InvalidArgument", "reason": tt.reason, "resource": "networks/chalonnais"}
		if got := logs.lines(t, want); len(got) != 1 {
			t.Errorf("POST %s %s: audit lines %v; want one with %v", tt.path, tt.body, logs.lines(t, map[string]string{"msg": "audit"}), want)
		}
	}
	// A bad token is no caller: the line says anonymous.
	_, id := send(t, "POST", base+"/v1/networks/chalonnais/members", "not-a-token", "", `{"displayName":5}`)
	if got := logs.lines(t, map[string]string{"msg": "audit", "request_id": id, "who": "anonymous"}); len(got) != 1 {
		t.Errorf("refused write with a bad token: audit lines %v; want one, anonymous", got)
	}
}

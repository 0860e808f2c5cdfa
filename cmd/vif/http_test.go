package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// do sends a request with the given headers and returns the response with its raw body (not
// decompressed: the test says Accept-Encoding itself when it wants gzip).
func do(t *testing.T, method, url string, header map[string]string, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if req.Header.Get("Accept-Encoding") == "" {
		req.Header.Set("Accept-Encoding", "identity")
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, raw
}

// TestHTTPConventions: the gateway speaks HTTP as HTTP clients and caches expect (issue 11): ETag
// on reads, If-Match on PATCH and DELETE (412), If-None-Match (304), HEAD, gzip, Cache-Control by
// what the answer is, and its request metrics on /metrics.
func TestHTTPConventions(t *testing.T) {
	dataDir := t.TempDir()
	in, _ := startEmbedded(t, dataDir, func(s *settings) { s.adminAddr = "127.0.0.1:0" })
	base := "http://" + in.httpAddr
	admin := map[string]string{"Authorization": "Bearer " + tokenFor(t, dataDir, "--role", "admin")}
	with := func(h map[string]string, k, v string) map[string]string {
		out := map[string]string{k: v}
		for hk, hv := range h {
			out[hk] = hv
		}
		return out
	}

	// ETag on a resource read is the resource's etag; an authenticated answer is not cached.
	resp, raw := do(t, "GET", base+"/v1/organisations/caf-71", admin, "")
	var org struct{ Etag string }
	if err := json.Unmarshal(raw, &org); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET organisation = %d %s", resp.StatusCode, raw)
	}
	if got := resp.Header.Get("ETag"); got == "" || got != org.Etag {
		t.Errorf("GET organisation ETag = %q; want the body's etag %q", got, org.Etag)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("authenticated GET Cache-Control = %q; want no-store", cc)
	}

	// If-Match: a stale one is 412; the current one updates; an etag in the body that is stale
	// stays 409, as before.
	patch := base + "/v1/organisations/caf-71?updateMask=address"
	resp, raw = do(t, "PATCH", patch, with(admin, "If-Match", `"0123456789abcdef"`), `{"address":"Mâcon"}`)
	if resp.StatusCode != http.StatusPreconditionFailed || errorReason(raw) != "ETAG_MISMATCH" {
		t.Errorf("PATCH with a stale If-Match = %d %s; want 412 ETAG_MISMATCH", resp.StatusCode, raw)
	}
	resp, raw = do(t, "PATCH", patch, with(admin, "If-Match", org.Etag), `{"address":"Mâcon"}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PATCH with the current If-Match = %d %s; want 200", resp.StatusCode, raw)
	}
	if e := resp.Header.Get("ETag"); e == "" || e == org.Etag {
		t.Errorf("PATCH answered ETag %q; want a new one (was %q)", e, org.Etag)
	}
	resp, raw = do(t, "PATCH", patch, admin, `{"address":"Chalon","etag":`+jsonString(org.Etag)+`}`)
	if resp.StatusCode != http.StatusConflict || errorReason(raw) != "ETAG_MISMATCH" {
		t.Errorf("PATCH with a stale body etag = %d %s; want 409 ETAG_MISMATCH", resp.StatusCode, raw)
	}

	// DELETE with If-Match.
	resp, raw = do(t, "POST", base+"/v1/networks/chalonnais/members?memberId=camille", admin,
		`{"organisation":"organisations/caf-71","displayName":"Camille Martin","domains":["DOMAIN_SOCIAL"]}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create member = %d %s", resp.StatusCode, raw)
	}
	member := base + "/v1/networks/chalonnais/members/camille"
	if resp, raw = do(t, "DELETE", member, with(admin, "If-Match", `"0123456789abcdef"`), ""); resp.StatusCode != http.StatusPreconditionFailed {
		t.Errorf("DELETE with a stale If-Match = %d %s; want 412", resp.StatusCode, raw)
	}
	resp, _ = do(t, "GET", member, admin, "")
	if resp, raw = do(t, "DELETE", member, with(admin, "If-Match", resp.Header.Get("ETag")), ""); resp.StatusCode != http.StatusOK {
		t.Errorf("DELETE with the current If-Match = %d %s; want 200", resp.StatusCode, raw)
	}

	// The public referential: cacheable by anyone, 304 when unchanged, gzip when asked.
	communes := base + "/v1/communes?pageSize=1000"
	resp, plain := do(t, "GET", communes, nil, "")
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || etag == "" || resp.Header.Get("Cache-Control") != "public, max-age=3600" {
		t.Errorf("anonymous GET communes = %d, ETag %q, Cache-Control %q; want 200, an ETag, public, max-age=3600",
			resp.StatusCode, etag, resp.Header.Get("Cache-Control"))
	}
	if resp, raw = do(t, "GET", communes, map[string]string{"If-None-Match": etag}, ""); resp.StatusCode != http.StatusNotModified || len(raw) != 0 {
		t.Errorf("GET communes If-None-Match its ETag = %d with %d bytes; want 304 and no body", resp.StatusCode, len(raw))
	}
	resp, zipped := do(t, "GET", communes, map[string]string{"Accept-Encoding": "gzip"}, "")
	if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Accept-Encoding") {
		t.Errorf("GET communes with Accept-Encoding: gzip: Content-Encoding %q, Vary %q", resp.Header.Get("Content-Encoding"), resp.Header.Values("Vary"))
	} else {
		zr, err := gzip.NewReader(bytes.NewReader(zipped))
		if err != nil {
			t.Fatal(err)
		}
		unzipped, _ := io.ReadAll(zr)
		if !bytes.Equal(unzipped, plain) {
			t.Errorf("gzipped communes (%d bytes) do not decompress to the plain answer (%d bytes)", len(zipped), len(plain))
		}
		t.Logf("communes: %d bytes plain, %d gzipped", len(plain), len(zipped))
	}

	// HEAD is GET without the body.
	get, body := do(t, "GET", base+"/v1/networks/chalonnais", nil, "")
	head, none := do(t, "HEAD", base+"/v1/networks/chalonnais", nil, "")
	if head.StatusCode != 200 || len(none) != 0 || head.Header.Get("ETag") != get.Header.Get("ETag") ||
		head.Header.Get("Content-Length") != get.Header.Get("Content-Length") || len(body) == 0 {
		t.Errorf("HEAD network = %d, %d bytes, ETag %q, Content-Length %q; want GET's headers (%q, %q) and no body",
			head.StatusCode, len(none), head.Header.Get("ETag"), head.Header.Get("Content-Length"),
			get.Header.Get("ETag"), get.Header.Get("Content-Length"))
	}

	// A method no route takes on a path is a 405, counted as no route: the routes of the other
	// methods, which the gateway tried for the Allow header, are not its.
	if resp, raw = do(t, "PUT", base+"/v1/networks/chalonnais", nil, "{}"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PUT network = %d %s; want 405", resp.StatusCode, raw)
	}

	// The gateway's request metrics, by route template.
	_, metrics := do(t, "GET", in.metricsURL, nil, "")
	for _, want := range []string{
		`http_server_requests_total{code="200",method="GET",route="/v1/{name=networks/*}"}`,
		`http_server_requests_total{code="412",method="PATCH",route="/v1/{organisation.name=organisations/*}"}`,
		`http_server_requests_total{code="405",method="PUT",route="unmatched"}`,
		`http_server_request_duration_seconds_bucket{method="GET",route="/v1/communes"`,
		// The same call as the services' gRPC server and the gateway's gRPC client saw it, and the
		// outbox relays' metrics (the seed published events).
		`grpc_server_handled_total{grpc_code="OK",grpc_method="GetNetwork",grpc_service="vif.directory.v1.DirectoryService",grpc_type="unary"}`,
		`grpc_client_handled_total{grpc_code="OK",grpc_method="GetNetwork",grpc_service="vif.directory.v1.DirectoryService",grpc_type="unary"}`,
		`vif_outbox_publish_lag_seconds_bucket{service="directory",le="0.001"}`,
		`vif_outbox_publish_failures_total{service="fleet"} 0`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics has no %s", want)
		}
	}
}

// TestCORS: a page on an allowed origin may call the API; a page on another may not.
func TestCORS(t *testing.T) {
	const allowed = "http://console.localhost:5173"
	in, _ := startEmbedded(t, t.TempDir(), func(s *settings) { s.corsOrigins = []string{allowed} })
	base := "http://" + in.httpAddr

	resp, raw := do(t, "OPTIONS", base+"/v1/organisations", map[string]string{
		"Origin": allowed, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type",
	}, "")
	h := resp.Header
	if resp.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != allowed ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") ||
		!strings.Contains(h.Get("Access-Control-Allow-Headers"), "Authorization") ||
		!strings.Contains(h.Get("Access-Control-Allow-Headers"), "If-Match") {
		t.Errorf("preflight from %s = %d %s, headers %v; want 204 allowing POST with Authorization", allowed, resp.StatusCode, raw, h)
	}
	resp, raw = do(t, "OPTIONS", base+"/v1/organisations", map[string]string{
		"Origin": "http://evil.localhost", "Access-Control-Request-Method": "POST",
	}, "")
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin = %d %s; want 403 without Access-Control-Allow-Origin", resp.StatusCode, raw)
	}
	resp, _ = do(t, "GET", base+"/v1/networks", map[string]string{"Origin": allowed}, "")
	if resp.Header.Get("Access-Control-Allow-Origin") != allowed || !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Origin") ||
		!strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "ETag") {
		t.Errorf("GET with Origin %s: headers %v; want Access-Control-Allow-Origin, Vary: Origin, ETag exposed", allowed, resp.Header)
	}
	resp, _ = do(t, "GET", base+"/v1/networks", map[string]string{"Origin": "http://evil.localhost"}, "")
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("GET with another Origin has Access-Control-Allow-Origin %q", resp.Header.Get("Access-Control-Allow-Origin"))
	}
}

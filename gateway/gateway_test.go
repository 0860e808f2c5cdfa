package gateway

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// wireError is the error shape as a client reads it.
type wireError struct {
	Error struct {
		Code    int              `json:"code"`
		Status  string           `json:"status"`
		Message string           `json:"message"`
		Details []map[string]any `json:"details"`
	} `json:"error"`
}

func (e *gatewayEnv) do(t *testing.T, method, path string, body io.Reader, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func decodeError(t *testing.T, resp *http.Response, body []byte) wireError {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q; want application/json", ct)
	}
	var e wireError
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %s is not JSON: %v", body, err)
	}
	if e.Error.Code != resp.StatusCode {
		t.Errorf("error.code = %d; want the HTTP status %d", e.Error.Code, resp.StatusCode)
	}
	return e
}

// detail returns the first detail of type typ ("google.rpc.BadRequest"), or nil.
func (e wireError) detail(typ string) map[string]any {
	for _, d := range e.Error.Details {
		if d["@type"] == "type.googleapis.com/"+typ {
			return d
		}
	}
	return nil
}

func TestGetNetworkIsCamelCaseJSON(t *testing.T) {
	env := newGateway(t, nil)
	resp, body := env.do(t, http.MethodGet, "/v1/networks/chalonnais", nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/networks/chalonnais = %d %s; want 200", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q; want application/json", ct)
	}
	// The referential is public and changes only with a release: any cache may keep it.
	if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=3600" {
		t.Errorf("Cache-Control = %q; want public, max-age=3600", cc)
	}
	for k := range resp.Header {
		if strings.HasPrefix(k, "Grpc-") {
			t.Errorf("response header %s = %q; want no backend metadata", k, resp.Header[k])
		}
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	want := map[string]any{
		"name":         "networks/chalonnais",
		"displayName":  "Réseau VIF du Chalonnais",
		"territory":    "Grand Chalon",
		"communeCount": float64(51),
		"population":   "113000", // int64 is a string in proto3 JSON
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("body[%q] = %#v; want %#v", k, got[k], v)
		}
	}
	for _, k := range []string{"display_name", "illustrative", "epcis"} {
		if _, ok := got[k]; ok {
			t.Errorf("body has %q; want camelCase names and no unpopulated field: %s", k, body)
		}
	}
}

func TestErrorsAreGoogleJSONErrors(t *testing.T) {
	env := newGateway(t, nil)
	tests := []struct {
		name        string
		method      string
		path        string
		body        string
		header      map[string]string
		wantHTTP    int
		wantStatus  string
		wantMessage string // a part of the message
		wantReason  string // the ErrorInfo reason, when the gateway or the fake sets one
	}{
		{
			name: "unknown network", method: "GET", path: "/v1/networks/nowhere",
			wantHTTP: 404, wantStatus: "NOT_FOUND", wantMessage: "networks/nowhere", wantReason: "NETWORK_NOT_FOUND",
		},
		{
			name: "invalid argument", method: "POST", path: "/v1/organisations", body: `{"kind":"ORGANISATION_KIND_CAF"}`,
			wantHTTP: 400, wantStatus: "INVALID_ARGUMENT", wantMessage: "display_name", wantReason: "INVALID_ARGUMENT",
		},
		{
			name: "stale etag", method: "PATCH", path: "/v1/organisations/caf-71", body: `{"displayName":"CAF","etag":"old"}`,
			wantHTTP: 409, wantStatus: "FAILED_PRECONDITION", wantMessage: "changed", wantReason: "ETAG_MISMATCH",
		},
		{
			name: "unauthenticated", method: "GET", path: "/v1/organisations/caf-71",
			wantHTTP: 401, wantStatus: "UNAUTHENTICATED", wantMessage: "bearer", wantReason: "UNAUTHENTICATED",
		},
		{
			name: "unknown field", method: "POST", path: "/v1/organisations", body: `{"displayName":"CAF","colour":"red"}`,
			wantHTTP: 400, wantStatus: "INVALID_ARGUMENT", wantMessage: "organisation.colour: unknown field", wantReason: ReasonInvalidArgument,
		},
		{
			name: "wrong type", method: "POST", path: "/v1/organisations", body: `{"displayName":5}`,
			wantHTTP: 400, wantStatus: "INVALID_ARGUMENT", wantMessage: "displayName",
		},
		{
			name: "malformed JSON", method: "POST", path: "/v1/organisations", body: `{"displayName":`,
			wantHTTP: 400, wantStatus: "INVALID_ARGUMENT", wantMessage: "not valid JSON", wantReason: ReasonMalformedJSON,
		},
		{
			name: "JSON followed by more", method: "POST", path: "/v1/organisations", body: `{"displayName":"a"} {"kind":3}`,
			wantHTTP: 400, wantStatus: "INVALID_ARGUMENT", wantMessage: "after top-level value", wantReason: ReasonMalformedJSON,
		},
		{
			name: "unknown path", method: "GET", path: "/v1/nowhere",
			wantHTTP: 404, wantStatus: "NOT_FOUND", wantMessage: "/v1/nowhere", wantReason: ReasonRouteNotFound,
		},
		{
			name: "wrong method", method: "DELETE", path: "/v1/networks/chalonnais",
			wantHTTP: 405, wantStatus: "UNIMPLEMENTED", wantMessage: "DELETE", wantReason: ReasonMethodNotAllowed,
		},
		{
			name: "POST on healthz", method: "POST", path: "/healthz",
			wantHTTP: 405, wantStatus: "UNIMPLEMENTED", wantReason: ReasonMethodNotAllowed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			resp, b := env.do(t, tt.method, tt.path, body, tt.header)
			if resp.StatusCode != tt.wantHTTP {
				t.Fatalf("%s %s = %d %s; want %d", tt.method, tt.path, resp.StatusCode, b, tt.wantHTTP)
			}
			e := decodeError(t, resp, b)
			if e.Error.Status != tt.wantStatus {
				t.Errorf("error.status = %q; want %q", e.Error.Status, tt.wantStatus)
			}
			if !strings.Contains(e.Error.Message, tt.wantMessage) {
				t.Errorf("error.message = %q; want it to contain %q", e.Error.Message, tt.wantMessage)
			}
			if tt.wantReason != "" {
				info := e.detail("google.rpc.ErrorInfo")
				if info == nil || info["reason"] != tt.wantReason || info["domain"] != "vif.gouv.fr" {
					t.Errorf("ErrorInfo = %v; want reason %q in domain vif.gouv.fr (body %s)", info, tt.wantReason, b)
				}
			}
		})
	}
}

func TestInvalidArgumentCarriesTheFieldViolation(t *testing.T) {
	env := newGateway(t, nil)
	resp, b := env.do(t, "POST", "/v1/organisations", strings.NewReader(`{"kind":"ORGANISATION_KIND_CAF"}`), nil)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("POST /v1/organisations = %d %s; want 400", resp.StatusCode, b)
	}
	br := decodeError(t, resp, b).detail("google.rpc.BadRequest")
	if br == nil {
		t.Fatalf("details of %s have no google.rpc.BadRequest", b)
	}
	violations, _ := br["fieldViolations"].([]any)
	if len(violations) != 1 {
		t.Fatalf("fieldViolations = %v; want one (camelCase key)", br)
	}
	if v, _ := violations[0].(map[string]any); v["field"] != "organisation.display_name" {
		t.Errorf("fieldViolations[0] = %v; want field organisation.display_name", v)
	}
}

func TestUnauthenticatedAsksForABearerToken(t *testing.T) {
	env := newGateway(t, nil)
	resp, b := env.do(t, "GET", "/v1/organisations/caf-71", nil, nil)
	if got := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != 401 || got != "Bearer" {
		t.Errorf("GET without a token = %d, WWW-Authenticate %q (%s); want 401 and \"Bearer\"", resp.StatusCode, got, b)
	}
}

func TestHeadersForwardedToTheBackend(t *testing.T) {
	env := newGateway(t, nil)
	resp, b := env.do(t, "POST", "/v1/organisations?organisationId=caf-71",
		strings.NewReader(`{"displayName":"CAF de Saône-et-Loire","kind":"ORGANISATION_KIND_CAF"}`),
		map[string]string{
			"Authorization":               "Bearer the-token",
			"X-Request-Id":                "req-42",
			"X-Custom":                    "kept out",
			"Cookie":                      "session=kept-out",
			"Grpc-Metadata-X-Vif-Subject": "impostor",
		})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /v1/organisations = %d %s; want 200", resp.StatusCode, b)
	}
	var org struct{ Name string }
	if err := json.Unmarshal(b, &org); err != nil || org.Name != "organisations/caf-71" {
		t.Errorf("body %s; want the created organisation organisations/caf-71", b)
	}
	md := env.backend.dir.metadata()
	if got := md.Get("authorization"); !slices.Equal(got, []string{"Bearer the-token"}) {
		t.Errorf("metadata authorization = %q; want [\"Bearer the-token\"] exactly once", got)
	}
	if got := md.Get("x-request-id"); !slices.Equal(got, []string{"req-42"}) {
		t.Errorf("metadata x-request-id = %q; want [req-42]", got)
	}
	if got := md.Get("x-forwarded-for"); len(got) != 1 || got[0] != "127.0.0.1" {
		t.Errorf("metadata x-forwarded-for = %q; want the client IP 127.0.0.1", got)
	}
	for _, k := range []string{"x-custom", "x-vif-subject", "grpcgateway-authorization", "grpcgateway-cookie", "cookie",
		"grpcgateway-user-agent", "grpcgateway-accept", "grpcgateway-content-type"} {
		if got := md.Get(k); len(got) > 0 {
			t.Errorf("metadata %s = %q; want it not forwarded", k, got)
		}
	}
}

func TestOversizeBodyIs413(t *testing.T) {
	env := newGateway(t, func(o *Options) { o.MaxBodyBytes = 1024 })
	big := `{"displayName":"` + strings.Repeat("a", 2000) + `"}`
	// A valid small JSON object padded past the limit: grpc-gateway alone would decode the object,
	// drop the rest and call the backend.
	padded := `{"displayName":"a"}` + strings.Repeat(" ", 2000)
	tests := []struct {
		name    string
		body    string
		chunked bool
	}{
		{"with Content-Length", big, false},
		{"chunked", big, true},
		{"chunked, valid JSON first", padded, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := env.backend.dir.createCalls()
			req, _ := http.NewRequest("POST", env.url+"/v1/organisations", strings.NewReader(tt.body))
			if tt.chunked {
				req.Body = io.NopCloser(strings.NewReader(tt.body)) // unknown length: sent chunked
				req.ContentLength = -1
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("POST of %d bytes = %d %s; want 413", len(tt.body), resp.StatusCode, b)
			}
			e := decodeError(t, resp, b)
			if e.Error.Status != "INVALID_ARGUMENT" || e.detail("google.rpc.ErrorInfo")["reason"] != ReasonBodyTooLarge {
				t.Errorf("error = %s; want INVALID_ARGUMENT with reason %s", b, ReasonBodyTooLarge)
			}
			if after := env.backend.dir.createCalls(); after != before {
				t.Errorf("backend got %d CreateOrganisation calls; want none", after-before)
			}
		})
	}
}

func TestBodyAtTheLimitIsAccepted(t *testing.T) {
	env := newGateway(t, func(o *Options) { o.MaxBodyBytes = 1024 })
	prefix, suffix := `{"displayName":"`, `"}`
	body := prefix + strings.Repeat("a", 1024-len(prefix)-len(suffix)) + suffix
	resp, b := env.do(t, "POST", "/v1/organisations", strings.NewReader(body), nil)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("POST of exactly 1024 bytes = %d %s; want 200", resp.StatusCode, b)
	}
}

func TestHealthz(t *testing.T) {
	env := newGateway(t, nil)
	resp, b := env.do(t, "GET", "/healthz", nil, nil)
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(b)) != `{"status":"ok","backends":{"directory":"SERVING"}}` {
		t.Errorf("GET /healthz = %d %s; want 200 with directory SERVING", resp.StatusCode, b)
	}

	env.backend.health.SetServingStatus(directoryService, healthpb.HealthCheckResponse_NOT_SERVING)
	resp, b = env.do(t, "GET", "/healthz", nil, nil)
	if resp.StatusCode != http.StatusServiceUnavailable || strings.TrimSpace(string(b)) != `{"status":"unavailable","backends":{"directory":"NOT_SERVING"}}` {
		t.Errorf("GET /healthz after NOT_SERVING = %d %s; want 503 with directory NOT_SERVING", resp.StatusCode, b)
	}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	return addr
}

func TestBackendDownIs503WithoutItsAddress(t *testing.T) {
	addr := closedAddr(t)
	env := newGateway(t, func(o *Options) { o.Backends = []Backend{directoryBackend(addr)} })

	resp, b := env.do(t, "GET", "/v1/networks/chalonnais", nil, nil)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("GET with the backend down = %d %s; want 503", resp.StatusCode, b)
	}
	e := decodeError(t, resp, b)
	if e.Error.Status != "UNAVAILABLE" || strings.Contains(string(b), addr) {
		t.Errorf("error = %s; want UNAVAILABLE without the backend's address", b)
	}
	if !strings.Contains(env.logs.String(), addr) {
		t.Errorf("log has no trace of the transport error to %s:\n%s", addr, env.logs)
	}

	resp, b = env.do(t, "GET", "/healthz", nil, nil)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(b), `"directory":"UNAVAILABLE"`) {
		t.Errorf("GET /healthz with the backend down = %d %s; want 503 with directory UNAVAILABLE", resp.StatusCode, b)
	}
}

func TestSlowBackendIs504(t *testing.T) {
	env := newGateway(t, func(o *Options) { o.RequestTimeout = 200 * time.Millisecond })
	resp, b := env.do(t, "GET", "/v1/networks", nil, nil)
	if resp.StatusCode != http.StatusGatewayTimeout {
		t.Fatalf("GET /v1/networks on a hung backend = %d %s; want 504", resp.StatusCode, b)
	}
	if e := decodeError(t, resp, b); e.Error.Status != "DEADLINE_EXCEEDED" {
		t.Errorf("error.status = %q; want DEADLINE_EXCEEDED", e.Error.Status)
	}
}

func TestOpenAPIDocument(t *testing.T) {
	env := newGateway(t, nil)
	resp, b := env.do(t, "GET", "/openapi.json", nil, nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /openapi.json = %d %q; want 200 application/json", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var doc struct {
		Paths map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("/openapi.json is not JSON: %v", err)
	}
	if _, ok := doc.Paths["/v1/networks"]; !ok {
		t.Errorf("paths of /openapi.json = %v; want /v1/networks among them", slices.Sorted(maps.Keys(doc.Paths)))
	}
}

func TestAccessLogHasNoToken(t *testing.T) {
	env := newGateway(t, nil)
	env.do(t, "GET", "/v1/networks/chalonnais", nil, map[string]string{
		"Authorization": "Bearer secret-token-value",
		"X-Request-Id":  "req-7",
	})
	env.do(t, "GET", "/v1/organisations/caf-71", nil, map[string]string{"Authorization": "Bearer secret-token-value"})
	logs := env.logs.String()
	if strings.Contains(logs, "secret-token-value") {
		t.Errorf("the log has the bearer token:\n%s", logs)
	}
	for _, want := range []string{
		"method=GET path=/v1/networks/chalonnais status=200",
		"request_id=req-7",
		"path=/v1/organisations/caf-71 status=404",
		"grpc_code=NOT_FOUND",
		"bytes=",
		"duration=",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log has no %q:\n%s", want, logs)
		}
	}
}

func TestHandlerRejectsIncompleteBackends(t *testing.T) {
	ok := directoryBackend("127.0.0.1:1")
	noRegister := ok
	noRegister.Register = nil
	tests := []struct {
		name     string
		backends []Backend
	}{
		{"none", nil},
		{"without Register", []Backend{noRegister}},
		{"twice", []Backend{ok, ok}},
	}
	for _, tt := range tests {
		if _, _, err := Handler(context.Background(), Options{Backends: tt.backends}); err == nil {
			t.Errorf("Handler with backends %s = nil error; want one", tt.name)
		}
	}
}

func TestRunListenerStopsWhenContextEnds(t *testing.T) {
	b := startBackend(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- RunListener(ctx, lis, Options{
			Backends: []Backend{directoryBackend(b.addr)},
			Logger:   discardLogger(),
		})
	}()

	resp, err := http.Get("http://" + lis.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz = %d; want 200", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("RunListener after cancel = %v; want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("RunListener still running 5 s after its context ended")
	}
}

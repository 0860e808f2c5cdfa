package gateway

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/grpc"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/grpcserver"
	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
)

// inProcessDirectory is fakeDirectory with two more networks: one whose handler panics, and one
// whose handler waits for its call to end and reports how it ended.
type inProcessDirectory struct {
	*fakeDirectory
	started chan struct{}
	ended   chan error
}

func (d *inProcessDirectory) GetNetwork(ctx context.Context, req *directoryv1.GetNetworkRequest) (*directoryv1.Network, error) {
	switch req.GetName() {
	case "networks/panic":
		panic("a bug in a handler")
	case "networks/wait":
		d.started <- struct{}{}
		<-ctx.Done()
		d.ended <- ctx.Err()
		return nil, ctx.Err()
	}
	return d.fakeDirectory.GetNetwork(ctx, req)
}

// inProcessEnv is the gateway in front of a real grpcserver.Server (its whole interceptor
// chain, a real token verifier) reached through the server's in-process channel, as in the
// all-in-one.
type inProcessEnv struct {
	url     string
	handler http.Handler             // the gateway's, which url serves
	conn    grpc.ClientConnInterface // the server's in-process channel, which the gateway calls
	dir     *inProcessDirectory
	logs    *syncBuffer
	issuer  auth.Issuer
}

func newInProcessGateway(t testing.TB, edit func(*Options)) *inProcessEnv {
	t.Helper()
	logs := &syncBuffer{}
	return newInProcessGatewayLogging(t, logs, slog.New(slog.NewJSONHandler(logs, nil)), edit)
}

// newInProcessGatewayLogging is newInProcessGateway with the server and the gateway logging to
// log, whose output is logs (nil: the logs are not kept).
func newInProcessGatewayLogging(t testing.TB, logs *syncBuffer, log *slog.Logger, edit func(*Options)) *inProcessEnv {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dir := &inProcessDirectory{fakeDirectory: &fakeDirectory{}, started: make(chan struct{}, 1), ended: make(chan error, 1)}
	const svc = "/" + directoryService + "/"
	srv, err := grpcserver.New(grpcserver.Options{
		Logger:   log,
		Verifier: auth.Verifier{Key: pub},
		Services: []grpcserver.Service{{
			Name:     directoryService,
			Register: func(r grpc.ServiceRegistrar) { directoryv1.RegisterDirectoryServiceServer(r, dir) },
			Policy: auth.Policy{
				svc + "GetNetwork":         {Public: true},
				svc + "ListNetworks":       {Public: true},
				svc + "CreateOrganisation": {Roles: []auth.Role{auth.RoleAdmin}, Write: true},
			},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	o := Options{
		Backends:  []Backend{{Name: "directory", Service: directoryService, RegisterClient: Services[0].RegisterClient}},
		InProcess: srv.InProcess(),
		Logger:    log,
	}
	if edit != nil {
		edit(&o)
	}
	h, closeConns, err := Handler(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(func() {
		hs.Close()
		closeConns()
	})
	return &inProcessEnv{url: hs.URL, handler: h, conn: srv.InProcess(), dir: dir, logs: logs, issuer: auth.Issuer{Key: priv}}
}

func (e *inProcessEnv) token(t *testing.T, role auth.Role, subject string) string {
	t.Helper()
	tok, err := e.issuer.Issue(auth.Claims{Role: role, RegisteredClaims: jwt.RegisteredClaims{Subject: subject}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// logLines returns the JSON log lines whose msg is msg.
func (e *inProcessEnv) logLines(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for l := range strings.Lines(e.logs.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", l, err)
		}
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

func get(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("%s %s: body %q is not JSON", req.Method, req.URL, raw)
	}
	return resp.StatusCode, body
}

// jsonErrorStatus is the status of the API's JSON error body ({"error":{"status":…}}).
func jsonErrorStatus(body map[string]any) any {
	e, _ := body["error"].(map[string]any)
	return e["status"]
}

func newRequest(t *testing.T, method, url, body string, header ...string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

// TestInProcessCallRunsTheServerChain: through the in-process channel, the handler gets the
// HTTP request's Authorization, X-Request-Id and X-Forwarded-For as incoming metadata, and the
// server's interceptors run: the rpc log line and the audit line of a write carry the request id
// and the verified caller.
func TestInProcessCallRunsTheServerChain(t *testing.T) {
	env := newInProcessGateway(t, nil)
	admin := env.token(t, auth.RoleAdmin, "alice")
	status, body := get(t, newRequest(t, "POST", env.url+"/v1/organisations?organisationId=caf-71",
		`{"displayName":"Caf de Saône-et-Loire","kind":"ORGANISATION_KIND_CAF"}`,
		"Authorization", "Bearer "+admin, "X-Request-Id", "req-inproc-write", "X-Forwarded-For", "203.0.113.7"))
	if status != 200 || body["name"] != "organisations/caf-71" {
		t.Fatalf("POST /v1/organisations = %d %v; want 200 organisations/caf-71", status, body)
	}
	md := env.dir.metadata()
	if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer "+admin {
		t.Errorf("handler's authorization metadata = %q; want the request's bearer token", got)
	}
	if got := md.Get("x-request-id"); len(got) != 1 || got[0] != "req-inproc-write" {
		t.Errorf("handler's x-request-id metadata = %q; want req-inproc-write", got)
	}
	if got := md.Get("x-forwarded-for"); len(got) != 1 || !strings.HasPrefix(got[0], "203.0.113.7") {
		t.Errorf("handler's x-forwarded-for metadata = %q; want the client's chain starting 203.0.113.7", got)
	}
	audit := env.logLines(t, "audit")
	if len(audit) != 1 || audit[0]["request_id"] != "req-inproc-write" || audit[0]["who"] != "alice" || audit[0]["outcome"] != "ok" {
		t.Errorf("audit lines = %v; want one, of alice's write, ok, with request_id req-inproc-write", audit)
	}
	// One info line for the request: the access line names the method; the service's own line of
	// a call that succeeded in process is at debug level.
	access := env.logLines(t, "http request")
	if len(access) != 1 || access[0]["request_id"] != "req-inproc-write" || access[0]["rpc"] != "/"+directoryService+"/CreateOrganisation" {
		t.Errorf("access lines = %v; want one naming rpc CreateOrganisation with request_id req-inproc-write", access)
	}
	if rpc := env.logLines(t, "rpc"); len(rpc) != 0 {
		t.Errorf("rpc lines at info level = %v; want none for a call that succeeded in process", rpc)
	}
}

// TestInProcessDenialIsAudited: a write without a token, refused by the server's auth
// interceptor on the in-process path, is a 401 JSON error, never reaches the handler, and is
// audited with the request id.
func TestInProcessDenialIsAudited(t *testing.T) {
	env := newInProcessGateway(t, nil)
	status, body := get(t, newRequest(t, "POST", env.url+"/v1/organisations?organisationId=caf-71",
		`{"displayName":"Caf","kind":"ORGANISATION_KIND_CAF"}`, "X-Request-Id", "req-inproc-denied"))
	if status != 401 || jsonErrorStatus(body) != "UNAUTHENTICATED" {
		t.Errorf("POST without a token = %d %v; want 401 UNAUTHENTICATED", status, body)
	}
	if n := env.dir.createCalls(); n != 0 {
		t.Errorf("the handler ran %d times; want 0 for a refused call", n)
	}
	audit := env.logLines(t, "audit")
	if len(audit) != 1 || audit[0]["request_id"] != "req-inproc-denied" || audit[0]["who"] != "anonymous" || audit[0]["outcome"] != "Unauthenticated" {
		t.Errorf("audit lines = %v; want one, anonymous, Unauthenticated, with request_id req-inproc-denied", audit)
	}
	// A call that failed keeps the service's line, with its code.
	rpc := env.logLines(t, "rpc")
	if len(rpc) != 1 || rpc[0]["request_id"] != "req-inproc-denied" || rpc[0]["code"] != "Unauthenticated" {
		t.Errorf("rpc lines = %v; want one, Unauthenticated, with request_id req-inproc-denied", rpc)
	}
}

// TestInProcessPanicIsA500: a handler that panics on the in-process path is recovered by the
// server's recovery interceptor: the client reads a 500 JSON error, the log an ERROR line, and
// the process goes on serving.
func TestInProcessPanicIsA500(t *testing.T) {
	env := newInProcessGateway(t, nil)
	status, body := get(t, newRequest(t, "GET", env.url+"/v1/networks/panic", ""))
	if e, _ := body["error"].(map[string]any); status != 500 || jsonErrorStatus(body) != "INTERNAL" || e["message"] != "internal error" {
		t.Errorf("GET a network whose handler panics = %d %v; want 500 INTERNAL, \"internal error\"", status, body)
	}
	if lines := env.logLines(t, "panic in handler"); len(lines) != 1 {
		t.Errorf("%d \"panic in handler\" log lines; want 1", len(lines))
	}
	if status, body := get(t, newRequest(t, "GET", env.url+"/v1/networks/chalonnais", "")); status != 200 {
		t.Errorf("GET after the panic = %d %v; want 200", status, body)
	}
}

// TestInProcessClientGoneCancelsTheHandler: a client that goes away while its call runs ends
// the handler's context, as a reset HTTP/2 stream does over the network.
func TestInProcessClientGoneCancelsTheHandler(t *testing.T) {
	env := newInProcessGateway(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	req := newRequest(t, "GET", env.url+"/v1/networks/wait", "").WithContext(ctx)
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	select {
	case <-env.dir.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler did not start")
	}
	cancel()
	select {
	case err := <-env.dir.ended:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("handler's context ended with %v; want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the handler's context did not end after the client went away")
	}
	<-done
}

// TestInProcessDeadlineReachesTheHandler: the gateway's request timeout is the handler's
// deadline on the in-process path: a handler that waits for it ends, and the client reads a 504
// JSON error.
func TestInProcessDeadlineReachesTheHandler(t *testing.T) {
	env := newInProcessGateway(t, func(o *Options) { o.RequestTimeout = 200 * time.Millisecond })
	start := time.Now()
	status, body := get(t, newRequest(t, "GET", env.url+"/v1/networks", ""))
	if status != 504 || jsonErrorStatus(body) != "DEADLINE_EXCEEDED" {
		t.Errorf("GET /v1/networks past the timeout = %d %v; want 504 DEADLINE_EXCEEDED", status, body)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the call took %v; want it ended by the 200 ms timeout", d)
	}
}

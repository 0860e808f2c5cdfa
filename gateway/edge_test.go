package gateway

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// fieldsOf returns the fields the BadRequest detail of an error names.
func (e wireError) fields() []string {
	br := e.detail("google.rpc.BadRequest")
	violations, _ := br["fieldViolations"].([]any)
	var fields []string
	for _, v := range violations {
		v, _ := v.(map[string]any)
		f, _ := v["field"].(string)
		fields = append(fields, f)
	}
	return fields
}

// TestInputRefusedAtTheEdge sends what a careless or hostile client sends: each is a 400 with
// the services' error shape (ErrorInfo INVALID_ARGUMENT, a BadRequest naming the field as the
// client wrote it), says nothing of Go or protobuf internals, and never reaches the service.
func TestInputRefusedAtTheEdge(t *testing.T) {
	env := newGateway(t, nil)
	tests := []struct {
		name, method, path, body string
		wantField                string
		wantDescription          string
	}{
		{"path segment not UTF-8", "GET", "/v1/networks/chal%ffonnais", "", "name", "UTF-8"},
		{"query value not UTF-8", "POST", "/v1/organisations?organisationId=caf%ff", `{"displayName":"a"}`, "organisationId", "UTF-8"},
		{"query key not UTF-8", "GET", "/v1/networks?page%ffSize=2", "", "page\uFFFDSize", "UTF-8"},
		{"body string not UTF-8", "POST", "/v1/organisations", "{\"displayName\":\"Caf\xff\"}", "organisation.displayName", "UTF-8"},
		{"nested body string not UTF-8", "POST", "/v1/organisations", "{\"displayName\":\"a\",\"commune\":\"\xc3\"}", "organisation.commune", "UTF-8"},
		{"integer parameter not a number", "GET", "/v1/networks?pageSize=abc", "", "pageSize", "integer"},
		{"unknown parameter", "GET", "/v1/networks?pagesize=2", "", "pagesize", "unknown query parameter"},
		{"parameter the method does not have", "GET", "/v1/networks?orderBy=displayName", "", "orderBy", "unknown query parameter"},
		{"parameter the path sets", "GET", "/v1/networks/chalonnais?name=networks/maconnais", "", "name", "path sets it"},
		{"parameter the body sets", "POST", "/v1/organisations?organisation.displayName=x", `{"displayName":"a"}`, "organisation.displayName", "body sets it"},
		{"parameter given twice", "GET", "/v1/networks?pageSize=1&pageSize=2", "", "pageSize", "once"},
		{"wrong type in the body", "POST", "/v1/organisations", `{"displayName":5}`, "organisation.displayName", "must be a string"},
		{"unknown enum value", "POST", "/v1/organisations", `{"displayName":"a","kind":"NOPE"}`, "organisation.kind", "ORGANISATION_KIND_CAF"},
		{"unknown field, as written", "POST", "/v1/organisations", `{"displayname":"a"}`, "organisation.displayname", "unknown field"},
		{"object where a string goes", "POST", "/v1/organisations", `{"displayName":{"a":1}}`, "organisation.displayName", "must be a string"},
		{"body not an object", "POST", "/v1/organisations", `["a"]`, "organisation", "JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			before := env.backend.dir.createCalls()
			resp, b := env.do(t, tt.method, tt.path, body, nil)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("%s %s %s = %d %s; want 400", tt.method, tt.path, tt.body, resp.StatusCode, b)
			}
			e := decodeError(t, resp, b)
			if info := e.detail("google.rpc.ErrorInfo"); info["reason"] != ReasonInvalidArgument || info["domain"] != errorDomain {
				t.Errorf("ErrorInfo = %v; want reason %s in %s", info, ReasonInvalidArgument, errorDomain)
			}
			if got := e.fields(); !slices.Equal(got, []string{tt.wantField}) {
				t.Errorf("BadRequest fields = %q; want [%q] (%s)", got, tt.wantField, b)
			}
			if !strings.Contains(e.Error.Message, tt.wantDescription) {
				t.Errorf("message %q; want it to say %q", e.Error.Message, tt.wantDescription)
			}
			for _, internal := range []string{"proto:", "strconv", "syntax error", "grpc:", "Go"} {
				if strings.Contains(string(b), internal) {
					t.Errorf("body %s shows %q", b, internal)
				}
			}
			if n := env.backend.dir.createCalls(); n != before {
				t.Errorf("the backend was called (%d creates, was %d)", n, before)
			}
		})
	}

	// What the API takes still goes through: a known parameter, a body of the right shape.
	resp, b := env.do(t, "POST", "/v1/organisations?organisationId=caf-72", strings.NewReader(`{"display_name":"Caf","kind":"ORGANISATION_KIND_CAF"}`), nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"organisations/caf-72"`) {
		t.Errorf("POST /v1/organisations?organisationId=caf-72 = %d %s; want 200 and organisations/caf-72", resp.StatusCode, b)
	}
}

func TestUnknownCustomVerbIs404(t *testing.T) {
	env := newGateway(t, nil)
	for _, method := range []string{"GET", "POST", "PATCH"} {
		resp, b := env.do(t, method, "/v1/networks/chalonnais:pdf", strings.NewReader("{}"), nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s /v1/networks/chalonnais:pdf = %d %s; want 404", method, resp.StatusCode, b)
			continue
		}
		if info := decodeError(t, resp, b).detail("google.rpc.ErrorInfo"); info["reason"] != ReasonRouteNotFound {
			t.Errorf("ErrorInfo = %v; want reason %s", info, ReasonRouteNotFound)
		}
	}
}

func TestMethodNotAllowedSaysWhatIsAllowed(t *testing.T) {
	env := newGateway(t, nil)
	tests := []struct{ method, path, allow string }{
		{"DELETE", "/v1/networks/chalonnais", "GET"},
		{"PUT", "/v1/organisations", "GET, POST"},
		{"POST", "/v1/organisations/caf-71", "GET, PATCH, DELETE"},
		{"POST", "/healthz", "GET"},
	}
	for _, tt := range tests {
		resp, b := env.do(t, tt.method, tt.path, strings.NewReader("{}"), nil)
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != tt.allow {
			t.Errorf("%s %s = %d, Allow %q (%s); want 405, Allow %q", tt.method, tt.path, resp.StatusCode, resp.Header.Get("Allow"), b, tt.allow)
		}
	}
}

// TestEveryRouteHasItsChecks proves the route table (read from the google.api.http options) has
// an entry for every route grpc-gateway serves, under the key the mux gives it: a route missing
// from it would skip the checks above.
func TestEveryRouteHasItsChecks(t *testing.T) {
	var names []string
	for _, s := range Services {
		names = append(names, s.FullName)
	}
	routes, err := newRouteTable(names)
	if err != nil {
		t.Fatal(err)
	}
	e := &edge{routes: routes, audit: &edgeAudit{log: discardLogger()}}
	mux := newMux(discardLogger(), e)
	conn, err := grpc.NewClient("127.0.0.1:1", grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range Services {
		if err := s.Register(context.Background(), mux, conn); err != nil {
			t.Fatal(err)
		}
	}
	if len(routes) < 40 {
		t.Fatalf("%d routes; want every binding of the four services", len(routes))
	}
	variable := regexp.MustCompile(`\{[^=}]+=([^}]+)\}`)
	for _, rt := range routes {
		path := variable.ReplaceAllStringFunc(rt.template, func(v string) string {
			p := variable.FindStringSubmatch(v)[1]
			p = strings.ReplaceAll(p, "**", "x1/y2")
			return strings.ReplaceAll(p, "*", "a1")
		})
		r := httptest.NewRequest(rt.httpMethod, path, nil)
		if got := probeRoute(mux, r, rt.httpMethod); !got.matched || got.route != rt {
			t.Errorf("%s %s (from %s): matched %v, route %v; want the route of %s", rt.httpMethod, path, rt.template, got.matched, got.route, rt.fullMethod())
		}
	}
}

// TestBodyFieldNamedByItsPath checks the path a nested bad field is named by, on the fleet's
// bodies (dates, lists of officials) and the directory's update, without a backend.
func TestBodyFieldNamedByItsPath(t *testing.T) {
	var names []string
	for _, s := range Services {
		names = append(names, s.FullName)
	}
	routes, err := newRouteTable(names)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, template, body string
		want                   *fieldViolation
	}{
		{"POST", "/v1/{name=cessions/*}:handOver", `{"handover":{"officials":[{"displayName":"a"},{"displayName":5}]}}`,
			&fieldViolation{"handover.officials[1].displayName", "must be a string"}},
		{"POST", "/v1/{name=cessions/*}:handOver", `{"handover":{"odometerKm":"12 000"}}`,
			&fieldViolation{"handover.odometerKm", "must be an integer (a JSON number or a string of digits)"}},
		{"POST", "/v1/{name=cessions/*}:handOver", `{"handover":{"officials":{"displayName":"a"}}}`,
			&fieldViolation{"handover.officials", "must be an array of objects"}},
		{"POST", "/v1/{name=vehicles/*}:retire", `{"retireDate":{"year":"deux mille"}}`,
			&fieldViolation{"retireDate.year", "must be an integer"}},
		{"POST", "/v1/{name=vehicles/*}:retire", `{"retire_date":{"year":2026,"month":1,"day":5},"etag":"\"x\""}`, nil},
		{"PATCH", "/v1/{organisation.name=organisations/*}", `{"displayName":"a","etag":7}`,
			&fieldViolation{"organisation.etag", "must be a string"}},
		{"PATCH", "/v1/{organisation.name=organisations/*}", `{"createTime":"yesterday"}`,
			&fieldViolation{"organisation.createTime", `must be an RFC 3339 timestamp, e.g. "2026-01-20T09:00:00Z"`}},
		{"PATCH", "/v1/{organisation.name=organisations/*}", `{"createTime":"2026-01-20T09:00:00Z"}`, nil},
		{"PATCH", "/v1/{organisation.name=organisations/*}", ``, nil},
	}
	for _, tt := range tests {
		rt := routes.lookup(tt.method, tt.template)
		if rt == nil {
			t.Fatalf("no route %s %s", tt.method, tt.template)
		}
		got := checkRouteBody(rt, []byte(tt.body))
		if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
			t.Errorf("checkRouteBody(%s %s, %s) = %+v; want %+v", tt.method, tt.template, tt.body, got, tt.want)
		}
	}
}

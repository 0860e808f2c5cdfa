package gateway

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// loadOpenAPI loads the description the gateway serves, as an OpenAPI 3 tool would.
func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	env := newGateway(t, nil)
	resp, b := env.do(t, "GET", "/openapi.json", nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /openapi.json = %d", resp.StatusCode)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatalf("kin-openapi cannot load /openapi.json: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("kin-openapi: /openapi.json is not valid: %v", err)
	}
	return doc
}

func TestOpenAPIIsVersion3WithRealPaths(t *testing.T) {
	doc := loadOpenAPI(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi = %q; want 3.x", doc.OpenAPI)
	}
	for _, want := range []struct{ path, method string }{
		{"/v1/networks/{network}", http.MethodGet},
		{"/v1/networks/{network}/members/{member}", http.MethodDelete},
		{"/v1/agreements/{agreement}:sign", http.MethodPost},
		{"/v1/organisations/{organisation}", http.MethodPatch},
		{"/v1/communes/{commune}", http.MethodGet},
	} {
		item := doc.Paths.Value(want.path)
		if item == nil || item.GetOperation(want.method) == nil {
			t.Errorf("no %s %s in /openapi.json", want.method, want.path)
		}
	}
	for _, p := range doc.Paths.Keys() {
		// A collapsed resource path (/v1/{name}, /v1/{name_1}) is what Swagger 2.0 output gave.
		if strings.HasPrefix(p, "/v1/{") {
			t.Errorf("path %q does not say which resource it is", p)
		}
	}
}

func TestOpenAPIEveryOperationSaysItsSecurityAndErrors(t *testing.T) {
	doc := loadOpenAPI(t)
	n := 0
	for _, p := range doc.Paths.Keys() {
		for verb, op := range doc.Paths.Value(p).Operations() {
			n++
			if op.Security == nil || len(*op.Security) == 0 {
				t.Errorf("%s %s: no security requirement", verb, p)
			}
			for _, code := range []string{"400", "401", "503", "default"} {
				r := op.Responses.Value(code)
				if r == nil || r.Value == nil || r.Value.Content.Get("application/json") == nil {
					t.Errorf("%s %s: no %s response with a JSON error body", verb, p, code)
					continue
				}
				if s := r.Value.Content.Get("application/json").Schema; s.Ref != "#/components/schemas/Error" {
					t.Errorf("%s %s: %s response schema = %q; want the Error schema", verb, p, code, s.Ref)
				}
			}
		}
	}
	if n < 40 {
		t.Errorf("only %d operations described; want every method with an HTTP rule", n)
	}
	public := doc.Paths.Value("/v1/networks/{network}").Get.Security
	if !slices.ContainsFunc(*public, func(r openapi3.SecurityRequirement) bool { return len(r) == 0 }) {
		t.Errorf("GetNetwork security = %v; want anonymous allowed (it is public)", *public)
	}
	create := doc.Paths.Value("/v1/organisations").Post
	if sec := *create.Security; len(sec) != 1 || sec[0]["bearer"] == nil {
		t.Errorf("CreateOrganisation security = %v; want bearer only", sec)
	}
	if create.Responses.Value("403") == nil || create.Responses.Value("409") == nil {
		t.Errorf("CreateOrganisation: want 403 and 409 among its responses")
	}
}

func TestOpenAPIRequiredParametersAndContentTypes(t *testing.T) {
	doc := loadOpenAPI(t)
	count := doc.Paths.Value("/v1/cessions:count").Get
	for _, name := range []string{"startDate.year", "startDate.month", "startDate.day", "endDate.year", "endDate.month", "endDate.day"} {
		p := count.Parameters.GetByInAndName("query", name)
		if p == nil || !p.Required {
			t.Errorf("CountCessions parameter %s: want it described and required", name)
		}
	}
	export := doc.Paths.Value("/v1/agreements:export").Get.Responses.Value("200").Value
	if export.Content.Get("text/csv") == nil || export.Content.Get("application/json") != nil {
		t.Errorf("ExportAgreements 200 content = %v; want text/csv only", slices.Collect(func(yield func(string) bool) {
			for k := range export.Content {
				if !yield(k) {
					return
				}
			}
		}))
	}
	// The proto3 JSON mapping of google.type.Date is an object, not an RFC 3339 string.
	date := doc.Components.Schemas["google.type.Date"]
	if date == nil || !date.Value.Type.Is("object") || date.Value.Properties["year"] == nil {
		t.Errorf("google.type.Date schema = %+v; want an object with year, month, day", date)
	}
}

func TestAPIReferencePageIsServedFromTheBinary(t *testing.T) {
	env := newGateway(t, nil)
	resp, b := env.do(t, "GET", "/docs", nil, nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /docs = %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "http") {
		t.Errorf("GET /docs Content-Security-Policy = %q; want scripts from this origin only", csp)
	}
	page := string(b)
	for _, ref := range []string{"/docs/vendor/swagger-ui-bundle.js", "/docs/vendor/swagger-ui.css", "/docs/init.js"} {
		if !strings.Contains(page, ref) {
			t.Errorf("/docs does not load %s", ref)
			continue
		}
		r, body := env.do(t, "GET", ref, nil, nil)
		if r.StatusCode != http.StatusOK || len(body) == 0 {
			t.Errorf("GET %s = %d, %d bytes; want 200 with the file", ref, r.StatusCode, len(body))
		}
	}
	if strings.Contains(page, "//cdn") || strings.Contains(page, "https://") {
		t.Errorf("/docs loads something from another origin:\n%s", page)
	}
	_, init := env.do(t, "GET", "/docs/init.js", nil, nil)
	if !strings.Contains(string(init), `"/openapi.json"`) {
		t.Errorf("/docs/init.js does not open this instance's /openapi.json:\n%s", init)
	}
	if r, _ := env.do(t, "GET", "/docs/vendor/nothing.js", nil, nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("GET /docs/vendor/nothing.js = %d; want 404", r.StatusCode)
	}
}

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// TestOpenAPIDescribesTheRealAPI holds /openapi.json to what the running embedded default does:
// every operation it describes is routed to its service (no ROUTE_NOT_FOUND, no 405), answers
// only the statuses the description lists, and the seeded resources it returns match its schemas.
func TestOpenAPIDescribesTheRealAPI(t *testing.T) {
	dataDir := t.TempDir()
	in, _ := startEmbedded(t, dataDir)
	base := "http://" + in.httpAddr
	reader := tokenFor(t, dataDir, "--role", "reader")
	admin := tokenFor(t, dataDir, "--role", "admin")

	resp, raw := do(t, http.MethodGet, base+"/openapi.json", nil, "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /openapi.json = %d", resp.StatusCode)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}

	for _, path := range doc.Paths.Keys() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			url := base + fill(path, op)
			body := ""
			if op.RequestBody != nil {
				body = "{}"
			}
			// A reader may call little, so writes end in 403 or 400: still the service's answer.
			resp, raw := do(t, method, url, jsonCall(reader, body), body)
			what := method + " " + path
			if resp.StatusCode == http.StatusMethodNotAllowed || resp.StatusCode >= 500 {
				t.Errorf("%s = %d %s", what, resp.StatusCode, raw)
				continue
			}
			if r := errorReason(raw); r == "ROUTE_NOT_FOUND" || r == "BAD_PATH" || r == "METHOD_NOT_ALLOWED" {
				t.Errorf("%s: the gateway has no such route (%s)", what, r)
			}
			if op.Responses.Status(resp.StatusCode) == nil && op.Responses.Default() == nil {
				t.Errorf("%s = %d, a status its description does not list", what, resp.StatusCode)
			}
		}
	}

	// Seeded resources, read as an admin, against the schemas of their 200 responses.
	for _, path := range []string{
		"/v1/networks", "/v1/networks/chalonnais", "/v1/communes/71076", "/v1/epcis",
		"/v1/organisations", "/v1/funders", "/v1/posts", "/v1/posts/iscg-louhannais/plans",
		"/v1/cessions", "/v1/vehicles", "/v1/networks/-/members",
		"/v1/networks/-/series?granularity=GRANULARITY_YEAR&startPeriod=2017&endPeriod=2023",
	} {
		url := base + path
		resp, raw := do(t, http.MethodGet, url, jsonCall(admin, ""), "")
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d %s", path, resp.StatusCode, raw)
			continue
		}
		tmpl, params := match(doc, strings.SplitN(path, "?", 2)[0])
		if tmpl == "" {
			t.Errorf("GET %s matches no path of the description", path)
			continue
		}
		item := doc.Paths.Value(tmpl)
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		input := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{
				Request: req, PathParams: params,
				Route: &routers.Route{Spec: doc, Path: tmpl, PathItem: item, Method: http.MethodGet, Operation: item.Get},
			},
			Status: resp.StatusCode, Header: resp.Header,
			Options: &openapi3filter.Options{IncludeResponseStatus: true},
		}
		input.SetBodyBytes(raw)
		if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
			t.Errorf("GET %s: the answer does not match its schema: %v", path, err)
		}
	}
}

// fill makes a concrete URL of a path template: "none" for a string path parameter, 2024 for an
// integer one, and the required query parameters with plausible values.
func fill(path string, op *openapi3.Operation) string {
	q := []string{}
	for _, p := range op.Parameters {
		v := "none"
		if s := p.Value.Schema; s != nil && s.Value != nil && s.Value.Type.Is("integer") {
			v = "2024"
			if strings.HasSuffix(p.Value.Name, ".month") || strings.HasSuffix(p.Value.Name, ".day") {
				v = "1"
			}
		}
		switch p.Value.In {
		case openapi3.ParameterInPath:
			path = strings.Replace(path, "{"+p.Value.Name+"}", v, 1)
		case openapi3.ParameterInQuery:
			if p.Value.Required {
				q = append(q, p.Value.Name+"="+v)
			}
		}
	}
	if len(q) > 0 {
		path += "?" + strings.Join(q, "&")
	}
	return path
}

// match finds the path template of a concrete path, with its parameters.
func match(doc *openapi3.T, path string) (string, map[string]string) {
	for _, tmpl := range doc.Paths.Keys() {
		params := map[string]string{}
		rest, ok := path, true
		for part := range strings.SplitSeq(tmpl, "{") {
			name, lit, found := strings.Cut(part, "}")
			if !found {
				lit = name
				name = ""
			}
			if name != "" {
				end := len(rest)
				if lit != "" {
					end = strings.Index(rest, lit)
				} else if i := strings.IndexAny(rest, "/:"); i >= 0 {
					end = i
				}
				if end <= 0 {
					ok = false
					break
				}
				params[name], rest = rest[:end], rest[end:]
			}
			if !strings.HasPrefix(rest, lit) {
				ok = false
				break
			}
			rest = rest[len(lit):]
		}
		if ok && rest == "" {
			return tmpl, params
		}
	}
	return "", nil
}

// jsonCall is the headers of a call with a bearer token and, when there is a body, JSON.
func jsonCall(token, body string) map[string]string {
	h := map[string]string{"Authorization": "Bearer " + token}
	if body != "" {
		h["Content-Type"] = "application/json"
	}
	return h
}

// errorReason is the ErrorInfo reason of an error body, or "".
func errorReason(raw []byte) string {
	var e struct {
		Error struct {
			Details []map[string]any `json:"details"`
		} `json:"error"`
	}
	if json.Unmarshal(raw, &e) != nil {
		return ""
	}
	for _, d := range e.Error.Details {
		if r, ok := d["reason"].(string); ok {
			return r
		}
	}
	return ""
}

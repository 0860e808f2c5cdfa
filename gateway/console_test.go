package gateway

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestConsoleIsServedFromTheBinaryOnItsPages(t *testing.T) {
	env := newGateway(t, nil)
	var index []byte
	for _, p := range []string{"/", "/reseaux", "/reseaux/chalonnais", "/statistiques", "/membres"} {
		resp, b := env.do(t, "GET", p, nil, nil)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s = %d %q; want the console's page", p, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want+";") && !strings.HasSuffix(csp, want) {
				t.Errorf("GET %s Content-Security-Policy = %q; want %s", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "http") || strings.Contains(csp, "*") {
			t.Errorf("GET %s Content-Security-Policy = %q; want no inline code and no other origin", p, csp)
		}
		if got := resp.Header.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("GET %s Referrer-Policy = %q; want no-referrer", p, got)
		}
		index = b
	}
	page := string(index)
	if regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]`).MatchString(page) || strings.Contains(page, " style=") {
		t.Errorf("the console's index.html has an inline script or style:\n%s", page)
	}
	if strings.Contains(page, "//") && regexp.MustCompile(`(src|href)="(https?:)?//`).MatchString(page) {
		t.Errorf("the console's index.html loads something from another origin:\n%s", page)
	}
	refs := regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 2 {
		t.Fatalf("the console's index.html loads %d assets; want its script and its styles:\n%s", len(refs), page)
	}
	for _, ref := range refs {
		r, body := env.do(t, "GET", ref[1], nil, nil)
		if r.StatusCode != http.StatusOK || len(body) == 0 {
			t.Errorf("GET %s = %d, %d bytes; want 200 with the file", ref[1], r.StatusCode, len(body))
		}
		if r.Header.Get("Content-Security-Policy") == "" || r.Header.Get("ETag") == "" {
			t.Errorf("GET %s: Content-Security-Policy %q, ETag %q; want both", ref[1], r.Header.Get("Content-Security-Policy"), r.Header.Get("ETag"))
		}
	}
	for _, p := range []string{"/assets/nothing.js", "/reseaux/chalonnais/autre", "/inconnu"} {
		if r, _ := env.do(t, "GET", p, nil, nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d; want 404", p, r.StatusCode)
		}
	}
	// The API's own paths are untouched.
	if r, _ := env.do(t, "GET", "/openapi.json", nil, nil); r.StatusCode != http.StatusOK || !strings.Contains(r.Header.Get("Content-Type"), "json") {
		t.Errorf("GET /openapi.json = %d %q; want the OpenAPI document", r.StatusCode, r.Header.Get("Content-Type"))
	}
	if r, _ := env.do(t, "GET", "/v1/networks/chalonnais", nil, nil); r.StatusCode != http.StatusOK || !strings.Contains(r.Header.Get("Content-Type"), "json") {
		t.Errorf("GET /v1/networks/chalonnais = %d %q; want the API's JSON", r.StatusCode, r.Header.Get("Content-Type"))
	}
}

// The console learns its sign-in provider from /console/config.json, and may call that origin
// (its token endpoint) and no other.
func TestConsoleConfigNamesTheSignInProviderAndThePolicyLetsItIn(t *testing.T) {
	env := newGateway(t, func(o *Options) { o.SignInIssuer = "http://127.0.0.1:8181" })
	resp, b := env.do(t, "GET", "/console/config.json", nil, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "json") {
		t.Fatalf("GET /console/config.json = %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if got, want := strings.TrimSpace(string(b)), `{"issuer":"http://127.0.0.1:8181","clientId":"vif-console"}`; got != want {
		t.Errorf("GET /console/config.json = %s; want %s", got, want)
	}
	resp, _ = env.do(t, "GET", "/", nil, nil)
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "connect-src 'self' http://127.0.0.1:8181;") {
		t.Errorf("GET / Content-Security-Policy = %q; want connect-src 'self' http://127.0.0.1:8181", csp)
	}

	// Without a provider, no sign-in and no other origin.
	env = newGateway(t, nil)
	if _, b := env.do(t, "GET", "/console/config.json", nil, nil); !strings.Contains(string(b), `"issuer":""`) {
		t.Errorf("GET /console/config.json = %s; want an empty issuer", b)
	}
}

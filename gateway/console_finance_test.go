package gateway

import (
	"net/http"
	"strings"
	"testing"
)

func TestConsoleServesTheFinancePages(t *testing.T) {
	env := newGateway(t, nil)
	for _, p := range []string{"/financement", "/financement/postes/iscg-louhannais", "/financement/postes/iscg-louhannais/2024"} {
		resp, _ := env.do(t, "GET", p, nil, nil)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s = %d %q; want the console's page", p, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("GET %s Content-Security-Policy = %q; want the console's policy", p, csp)
		}
	}
}

package main

import (
	"encoding/json"
	"testing"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/auth/oidctest"
)

// TestTokensOfAnOpenIDProvider: the embedded default told to trust an independent OpenID
// provider (oidc-provider, run by node) takes its tokens with the roles and scopes the claim
// mapping gives, through the gateway and the services' interceptors, as a Département's
// Keycloak would send them.
func TestTokensOfAnOpenIDProvider(t *testing.T) {
	const audience = "https://api.vif.test"
	p := oidctest.Start(t, audience, []oidctest.Key{oidctest.NewRSAKey(t, "k1")},
		oidctest.Client{ID: "camille", Secret: "s1", Claims: map[string]any{"realm_access": map[string]any{"roles": []string{"vif-coordinator"}}, "vif_network": "louhannais"}},
		oidctest.Client{ID: "dominique", Secret: "s2", Claims: map[string]any{"realm_access": map[string]any{"roles": []string{"vif-reader"}}}},
		oidctest.Client{ID: "nobody", Secret: "s3", Claims: map[string]any{"realm_access": map[string]any{"roles": []string{"offline_access"}}}},
	)
	issuers, err := json.Marshal([]auth.IssuerConfig{{
		Issuer: p.Issuer, Audience: audience, Algorithms: []string{"RS256"},
		Claims: auth.ClaimMapping{Roles: "realm_access.roles", RolePrefix: "vif-", Network: "vif_network"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	in, _ := startEmbedded(t, t.TempDir(), func(s *settings) { s.oidcIssuers = string(issuers) })
	base := "http://" + in.httpAddr
	coordinator, reader, nobody := p.Token("camille"), p.Token("dominique"), p.Token("nobody")
	report := `{"period":"2024-01","counts":{"victimsSupported":"12"}}`

	for _, c := range []struct {
		what, method, path, token, body string
		want                            int
		reason                          string
	}{
		{"the coordinator reports for their network", "POST", "/v1/networks/louhannais/reports", coordinator, report, 200, ""},
		{"the coordinator may not report for another", "POST", "/v1/networks/chalonnais/reports", coordinator, report, 403, ""},
		{"a reader reads the professionals", "GET", "/v1/networks/-/members", reader, "", 200, ""},
		{"a reader may not report", "POST", "/v1/networks/louhannais/reports", reader, report, 403, "ROLE_NOT_ALLOWED"},
		{"a token without a vif role", "GET", "/v1/networks/-/members", nobody, "", 401, "TOKEN_INVALID"},
	} {
		resp, raw := do(t, c.method, base+c.path, jsonCall(c.token, c.body), c.body)
		if resp.StatusCode != c.want || (c.reason != "" && errorReason(raw) != c.reason) {
			t.Errorf("%s: %s %s = %d %s; want %d %s", c.what, c.method, c.path, resp.StatusCode, raw, c.want, c.reason)
		}
	}
}

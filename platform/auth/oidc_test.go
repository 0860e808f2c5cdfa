package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/auth/oidctest"
)

const apiAudience = "https://api.vif.test"

// mapping is how a Keycloak realm would carry vif's roles: realm-style role names with a prefix,
// and the scopes as user attributes mapped into the token.
var mapping = auth.ClaimMapping{Roles: "vif_roles", RolePrefix: "vif-", Network: "vif_network", Organisation: "vif_organisation"}

func clients() []oidctest.Client {
	return []oidctest.Client{
		{ID: "coordinator", Secret: "s1", Claims: map[string]any{"vif_roles": []string{"offline_access", "vif-coordinator"}, "vif_network": "louhannais"}},
		{ID: "admin", Secret: "s2", Claims: map[string]any{"vif_roles": []string{"vif-reader", "vif-admin"}}},
		{ID: "funder", Secret: "s3", Claims: map[string]any{"vif_roles": "vif-funder", "vif_organisation": "prefecture-71"}},
		{ID: "no-role", Secret: "s4", Claims: map[string]any{"vif_roles": []string{"offline_access"}}},
		{ID: "no-network", Secret: "s5", Claims: map[string]any{"vif_roles": []string{"vif-coordinator"}}},
		{ID: "other-api", Secret: "s6", Claims: map[string]any{"vif_roles": []string{"vif-admin"}}, Audience: "https://other.example"},
		{ID: "es256", Secret: "s7", Claims: map[string]any{"vif_roles": []string{"vif-reader"}}, Alg: "ES256"},
	}
}

func newVerifier(t *testing.T, issuer string, now func() time.Time) *auth.OIDCVerifier {
	t.Helper()
	v, err := auth.NewOIDCVerifier([]auth.IssuerConfig{{
		Issuer: issuer, Audience: apiAudience, Algorithms: []string{"RS256"}, Claims: mapping,
	}}, now)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// forge signs claims with a key the provider does not publish.
func forge(t *testing.T, key oidctest.Key, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key.JSONWebKey},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestOIDCTokensOfAnIndependentProvider: tokens of oidc-provider, run by node, are accepted with
// the role and scope the mapping gives them, and every bad token is refused with its reason.
func TestOIDCTokensOfAnIndependentProvider(t *testing.T) {
	keyA, ec := oidctest.NewRSAKey(t, "key-a"), oidctest.NewECKey(t, "key-ec")
	p := oidctest.Start(t, apiAudience, []oidctest.Key{keyA, ec}, clients()...)
	v := newVerifier(t, p.Issuer, nil)
	ctx := context.Background()

	for _, c := range []struct {
		client             string
		role               auth.Role
		network, organisat string
	}{
		{"coordinator", auth.RoleCoordinator, "louhannais", ""},
		{"admin", auth.RoleAdmin, "", ""}, // of reader and admin, the stronger
		{"funder", auth.RoleFunder, "", "prefecture-71"},
	} {
		got, err := v.VerifyToken(ctx, p.Token(c.client))
		if err != nil {
			t.Errorf("token of %s: %v", c.client, err)
			continue
		}
		if got.Role != c.role || got.Network != c.network || got.Organisation != c.organisat || got.Subject != c.client || got.Issuer != p.Issuer {
			t.Errorf("token of %s = role %s network %q organisation %q sub %q iss %q; want %s %q %q %q %q",
				c.client, got.Role, got.Network, got.Organisation, got.Subject, got.Issuer, c.role, c.network, c.organisat, c.client, p.Issuer)
		}
	}

	// Through vif's Verifier, as the interceptor calls it: the provider's token goes to the
	// provider, with no Ed25519 key at all.
	if got, err := (auth.Verifier{OIDC: v}).VerifyContext(ctx, p.Token("coordinator")); err != nil || got.Role != auth.RoleCoordinator {
		t.Errorf("Verifier{OIDC}.VerifyContext(coordinator) = %+v, %v", got, err)
	}

	stranger := oidctest.NewRSAKey(t, "key-a") // same kid as the real key, another key
	now := time.Now()
	good := map[string]any{"iss": p.Issuer, "aud": apiAudience, "sub": "x", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "vif_roles": []string{"vif-admin"}}
	other := map[string]any{}
	for k, val := range good {
		other[k] = val
	}
	other["iss"] = "http://127.0.0.1:1/realms/elsewhere"

	for _, c := range []struct {
		what, token string
		v           *auth.OIDCVerifier
		want        error
		why         string
	}{
		{"no vif role", p.Token("no-role"), v, auth.ErrTokenInvalid, "no vif role"},
		{"a coordinator without network", p.Token("no-network"), v, auth.ErrTokenInvalid, "needs a network"},
		{"another audience", p.Token("other-api"), v, auth.ErrTokenInvalid, "not for this API"},
		{"an algorithm not allowed", p.Token("es256"), v, auth.ErrTokenInvalid, "ES256 is not allowed"},
		{"a key the issuer does not publish", forge(t, stranger, good), v, auth.ErrTokenInvalid, "does not publish"},
		{"an issuer not trusted", forge(t, stranger, other), v, auth.ErrTokenInvalid, "not trusted"},
		{"an expired token", p.Token("coordinator"), newVerifier(t, p.Issuer, func() time.Time { return time.Now().Add(time.Hour) }), auth.ErrTokenExpired, "expired"},
		{"not a JWT", "abc.def", v, auth.ErrTokenInvalid, "not a signed JWT"},
	} {
		_, err := c.v.VerifyToken(ctx, c.token)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s: VerifyToken = %v; want %v saying %q", c.what, err, c.want, c.why)
		}
	}
}

// TestOIDCKeyRotationIsFollowed: after the provider rotates its key, tokens signed with the new
// one are accepted by a verifier that cached the old set, and those of the withdrawn key are not.
func TestOIDCKeyRotationIsFollowed(t *testing.T) {
	keyA, keyB := oidctest.NewRSAKey(t, "key-a"), oidctest.NewRSAKey(t, "key-b")
	p := oidctest.Start(t, apiAudience, []oidctest.Key{keyA}, clients()...)
	v := newVerifier(t, p.Issuer, nil)
	ctx := context.Background()
	old := p.Token("coordinator")
	if _, err := v.VerifyToken(ctx, old); err != nil {
		t.Fatalf("token before the rotation: %v", err)
	}
	p.Rotate([]oidctest.Key{keyB})
	if _, err := v.VerifyToken(ctx, p.Token("coordinator")); err != nil {
		t.Errorf("token signed with the new key: %v; want it accepted", err)
	}
	err := oidctest.Recheck(func() error { _, err := v.VerifyToken(ctx, old); return err })
	if !errors.Is(err, auth.ErrTokenInvalid) {
		t.Errorf("token of the withdrawn key = %v; want ErrTokenInvalid", err)
	}
}

// TestOIDCProviderDownIsUnavailable: when the provider cannot be asked for its keys, a token is
// neither accepted nor called invalid: the caller is told to retry.
func TestOIDCProviderDownIsUnavailable(t *testing.T) {
	p := oidctest.Start(t, apiAudience, []oidctest.Key{oidctest.NewRSAKey(t, "key-a")}, clients()...)
	tok := p.Token("coordinator")
	p.Stop()
	v := newVerifier(t, p.Issuer, nil)
	if _, err := v.VerifyToken(context.Background(), tok); !errors.Is(err, auth.ErrVerifierUnavailable) {
		t.Errorf("VerifyToken with the provider down = %v; want ErrVerifierUnavailable", err)
	}
}

func TestOIDCConfigurationIsChecked(t *testing.T) {
	for _, c := range []auth.IssuerConfig{
		{Audience: "a", Claims: mapping},
		{Issuer: "https://sso.example.fr/realms/vif", Claims: mapping},
		{Issuer: "http://sso.example.fr/realms/vif", Audience: "a", Claims: mapping},
		{Issuer: "https://sso.example.fr/realms/vif", Audience: "a"},
		{Issuer: "https://sso.example.fr/realms/vif", Audience: "a", Claims: mapping, Algorithms: []string{"HS256"}},
		{Issuer: "https://sso.example.fr/realms/vif", Audience: "a", Claims: mapping, Algorithms: []string{"none"}},
	} {
		if _, err := auth.NewOIDCVerifier([]auth.IssuerConfig{c}, nil); err == nil {
			t.Errorf("NewOIDCVerifier(%+v) = nil error; want one", c)
		}
	}
}

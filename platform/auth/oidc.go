package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
)

// ErrVerifierUnavailable is wrapped by Verify's error when a token's issuer cannot be asked for
// its keys right now (its discovery document or key set does not answer): the caller should
// retry, not sign in again.
var ErrVerifierUnavailable = errors.New("the identity provider cannot be reached to check the token")

// IssuerConfig is one OpenID provider whose tokens vif trusts: ProConnect, a Département's
// Keycloak realm, or the embedded default's own provider.
type IssuerConfig struct {
	// Issuer is the provider's issuer URL, exactly as its tokens' iss and its discovery document
	// say it (https://auth.agentconnect.gouv.fr/api/v2, https://sso.example.fr/realms/vif).
	Issuer string `json:"issuer"`
	// Audience is what a token's aud must contain: the API's resource name or client id.
	Audience string `json:"audience"`
	// Algorithms are the signing algorithms accepted; empty means RS256 and ES256. "none" and
	// the HMAC ones are never accepted.
	Algorithms []string `json:"algorithms,omitempty"`
	// Claims says where vif's role and scope are in the provider's tokens.
	Claims ClaimMapping `json:"claims"`
}

// ClaimMapping turns a provider's claims into vif's. Paths are dotted ("realm_access.roles").
type ClaimMapping struct {
	// Roles is the path to a string or an array of strings that holds the roles or groups, e.g.
	// "realm_access.roles" (Keycloak realm roles) or "groups".
	Roles string `json:"roles"`
	// RolePrefix is what marks a vif role among them: with "vif-", "vif-coordinator" is the
	// coordinator role and "offline_access" is ignored. When a token holds several vif roles, the
	// first in the order admin, coordinator, reader, finance, fleet, funder, beneficiary wins.
	RolePrefix string `json:"role_prefix,omitempty"`
	// Network and Organisation are the paths to the network id of a coordinator and the
	// organisation id of a funder or beneficiary (e.g. Keycloak user attributes mapped into the
	// token as "vif_network").
	Network      string `json:"network,omitempty"`
	Organisation string `json:"organisation,omitempty"`
}

// LoadIssuers reads the OpenID providers to trust from spec: a JSON array of IssuerConfig, inline
// (it starts with "[") or in the file it names. Empty means none.
func LoadIssuers(spec string) ([]IssuerConfig, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, nil
	}
	raw := []byte(spec)
	if !strings.HasPrefix(spec, "[") {
		var err error
		if raw, err = os.ReadFile(spec); err != nil {
			return nil, fmt.Errorf("auth: OpenID issuers: %w", err)
		}
	}
	var configs []IssuerConfig
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&configs); err != nil {
		return nil, fmt.Errorf("auth: OpenID issuers: %w", err)
	}
	return configs, nil
}

var defaultAlgorithms = []string{string(jose.RS256), string(jose.ES256)}

// refused are the algorithms no configuration may allow: no signature, or a shared secret that
// a provider's public key could pass for.
var refused = []string{"none", "HS256", "HS384", "HS512"}

// OIDCVerifier verifies the tokens of OpenID providers. Each provider's discovery document and
// key set (JWKS) are fetched on first use, cached, and fetched again when a token names a key
// the cache does not hold (key rotation).
type OIDCVerifier struct {
	issuers map[string]*oidcIssuer
	now     func() time.Time
}

type oidcIssuer struct {
	cfg IssuerConfig

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
	failedAt time.Time // the last failed discovery: retried at most once a second
}

// NewOIDCVerifier checks the configurations; it does not contact the providers, so a service
// starts while one is down (its tokens are refused with ErrVerifierUnavailable until it is back).
func NewOIDCVerifier(configs []IssuerConfig, now func() time.Time) (*OIDCVerifier, error) {
	if now == nil {
		now = time.Now
	}
	v := &OIDCVerifier{issuers: map[string]*oidcIssuer{}, now: now}
	for _, c := range configs {
		if c.Issuer == "" || c.Audience == "" {
			return nil, fmt.Errorf("auth: an OpenID issuer needs its issuer URL and the audience its tokens carry (issuer %q)", c.Issuer)
		}
		if !strings.HasPrefix(c.Issuer, "https://") && !strings.HasPrefix(c.Issuer, "http://127.0.0.1") && !strings.HasPrefix(c.Issuer, "http://localhost") {
			return nil, fmt.Errorf("auth: issuer %q: want an https URL (http only on this machine)", c.Issuer)
		}
		if c.Claims.Roles == "" {
			return nil, fmt.Errorf("auth: issuer %q: claims.roles must say where the roles are", c.Issuer)
		}
		if len(c.Algorithms) == 0 {
			c.Algorithms = defaultAlgorithms
		}
		for _, a := range c.Algorithms {
			if slices.Contains(refused, a) {
				return nil, fmt.Errorf("auth: issuer %q: algorithm %s is never accepted", c.Issuer, a)
			}
		}
		if _, dup := v.issuers[c.Issuer]; dup {
			return nil, fmt.Errorf("auth: issuer %q configured twice", c.Issuer)
		}
		v.issuers[c.Issuer] = &oidcIssuer{cfg: c}
	}
	return v, nil
}

// Trusts reports whether iss is one of the configured issuers.
func (v *OIDCVerifier) Trusts(iss string) bool {
	_, ok := v.issuers[iss]
	return ok
}

// VerifyToken returns the vif claims of a token of a configured issuer. Errors wrap
// ErrTokenExpired, ErrTokenInvalid (with the reason: another issuer, another audience, an
// algorithm not allowed, a key the issuer does not publish, no vif role) or
// ErrVerifierUnavailable.
func (v *OIDCVerifier) VerifyToken(ctx context.Context, token string) (*Claims, error) {
	iss, alg, err := peek(token)
	if err != nil {
		return nil, err
	}
	is, ok := v.issuers[iss]
	if !ok {
		return nil, fmt.Errorf("%w: issuer %q is not trusted", ErrTokenInvalid, iss)
	}
	if !slices.Contains(is.cfg.Algorithms, alg) {
		return nil, fmt.Errorf("%w: signing algorithm %s is not allowed", ErrTokenInvalid, alg)
	}
	verifier, err := is.get(ctx, v.now)
	if err != nil {
		return nil, err
	}
	idt, err := verifier.Verify(ctx, token)
	if err != nil {
		return nil, classify(err)
	}
	var raw map[string]any
	if err := idt.Claims(&raw); err != nil {
		return nil, fmt.Errorf("%w: unreadable claims", ErrTokenInvalid)
	}
	c, err := is.cfg.Claims.claims(raw)
	if err != nil {
		return nil, err
	}
	c.Issuer, c.Subject = idt.Issuer, idt.Subject
	return c, nil
}

// get returns the issuer's verifier, running discovery the first time.
func (is *oidcIssuer) get(ctx context.Context, now func() time.Time) (*oidc.IDTokenVerifier, error) {
	is.mu.Lock()
	defer is.mu.Unlock()
	if is.verifier != nil {
		return is.verifier, nil
	}
	if !is.failedAt.IsZero() && now().Sub(is.failedAt) < time.Second {
		return nil, fmt.Errorf("%w (%s)", ErrVerifierUnavailable, is.cfg.Issuer)
	}
	// The key set outlives this call: its fetches must not end with the request that made it.
	p, err := oidc.NewProvider(context.WithoutCancel(ctx), is.cfg.Issuer)
	if err != nil {
		is.failedAt = now()
		return nil, fmt.Errorf("%w (%s): %v", ErrVerifierUnavailable, is.cfg.Issuer, err)
	}
	is.verifier = p.VerifierContext(context.WithoutCancel(ctx), &oidc.Config{
		ClientID: is.cfg.Audience, SupportedSigningAlgs: is.cfg.Algorithms, Now: now,
	})
	return is.verifier, nil
}

// peek reads a token's issuer and algorithm before any verification, to pick the verifier.
func peek(token string) (iss, alg string, err error) {
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{
		jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
		jose.ES256, jose.ES384, jose.ES512, jose.EdDSA, jose.HS256, jose.HS384, jose.HS512,
	})
	if err != nil || len(jws.Signatures) != 1 {
		return "", "", fmt.Errorf("%w: not a signed JWT", ErrTokenInvalid)
	}
	var claims struct {
		Issuer string `json:"iss"`
	}
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims); err != nil {
		return "", "", fmt.Errorf("%w: unreadable claims", ErrTokenInvalid)
	}
	return claims.Issuer, jws.Signatures[0].Protected.Algorithm, nil
}

// classify turns go-oidc's errors into ours, with a reason a user can act on.
func classify(err error) error {
	var expired *oidc.TokenExpiredError
	msg := err.Error()
	switch {
	case errors.As(err, &expired):
		return ErrTokenExpired
	case strings.Contains(msg, "expected audience"):
		return fmt.Errorf("%w: the token is not for this API (aud)", ErrTokenInvalid)
	case strings.Contains(msg, "fetching keys"):
		return fmt.Errorf("%w: %v", ErrVerifierUnavailable, err)
	case strings.Contains(msg, "failed to verify signature"):
		return fmt.Errorf("%w: signed by a key its issuer does not publish", ErrTokenInvalid)
	case strings.Contains(msg, "before the nbf"):
		return fmt.Errorf("%w: not valid yet (nbf)", ErrTokenInvalid)
	}
	return fmt.Errorf("%w: %v", ErrTokenInvalid, err)
}

// claims maps a provider's claims to vif's, and validates them as a vif token's.
func (m ClaimMapping) claims(raw map[string]any) (*Claims, error) {
	var found []Role
	for _, v := range stringList(lookup(raw, m.Roles)) {
		name, ok := strings.CutPrefix(v, m.RolePrefix)
		if !ok {
			continue
		}
		if r, err := ParseRole(name); err == nil {
			found = append(found, r)
		}
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("%w: no vif role in claim %s", ErrTokenInvalid, m.Roles)
	}
	role := found[0]
	for _, r := range roles {
		if slices.Contains(found, r) {
			role = r
			break
		}
	}
	c := &Claims{Role: role}
	if m.Network != "" {
		c.Network, _ = lookup(raw, m.Network).(string)
	}
	if m.Organisation != "" {
		c.Organisation, _ = lookup(raw, m.Organisation).(string)
	}
	if sub, _ := raw["sub"].(string); sub != "" {
		c.Subject = sub
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTokenInvalid, err)
	}
	return c, nil
}

// lookup follows a dotted path in decoded JSON.
func lookup(raw map[string]any, path string) any {
	var cur any = raw
	for part := range strings.SplitSeq(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

// stringList reads a JSON string or array of strings.
func stringList(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// NewVerifier builds the verifier of a service or gateway run apart from its settings: the PEM
// file of vif's own public key (tokens of `vif token` and of the built-in provider) and the
// OpenID providers to trust (LoadIssuers). Either may be empty, not both.
func NewVerifier(publicKeyPath, issuers string) (Verifier, error) {
	configs, err := LoadIssuers(issuers)
	if err != nil {
		return Verifier{}, err
	}
	if publicKeyPath == "" && len(configs) == 0 {
		return Verifier{}, errors.New("no way to check tokens: set --auth-public-key / VIF_AUTH_PUBLIC_KEY, --oidc-issuers / VIF_OIDC_ISSUERS, or both")
	}
	var v Verifier
	if publicKeyPath != "" {
		if v.Key, err = LoadPublicKey(publicKeyPath); err != nil {
			return Verifier{}, err
		}
	}
	if len(configs) > 0 {
		if v.OIDC, err = NewOIDCVerifier(configs, nil); err != nil {
			return Verifier{}, err
		}
	}
	return v, nil
}

// IssuersFlagHelp is the help of the --oidc-issuers setting, the same wherever it is read.
const IssuersFlagHelp = `OpenID providers whose tokens to trust: a JSON array, inline or in the file named, of {"issuer", "audience", "algorithms", "claims": {"roles", "role_prefix", "network", "organisation"}}`

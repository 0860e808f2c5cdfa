package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/golang-jwt/jwt/v5"
)

// Claims are what a token says about its bearer.
type Claims struct {
	Role         Role   `json:"role"`
	Network      string `json:"network,omitempty"`      // network id, e.g. "chalonnais" (coordinators: required)
	Organisation string `json:"organisation,omitempty"` // organisation id, e.g. "caf-71" (funder, beneficiary: required)
	jwt.RegisteredClaims
}

// claimsError is the error of Validate. Verify finds it again inside jwt's joined errors so
// that the caller learns which claim was wrong, in our words rather than jwt's.
type claimsError struct{ msg string }

func (e *claimsError) Error() string { return e.msg }

// Validate checks what the signature alone cannot: that the role is known, that a scoped role
// carries its scope, and that the token names its bearer (the audit trail needs a who).
// jwt calls it during Verify through its ClaimsValidator interface.
func (c *Claims) Validate() error {
	if _, err := ParseRole(string(c.Role)); err != nil {
		return &claimsError{err.Error()}
	}
	switch c.Role.scope() {
	case "network":
		if c.Network == "" {
			return &claimsError{fmt.Sprintf("role %s needs a network", c.Role)}
		}
	case "organisation":
		if c.Organisation == "" {
			return &claimsError{fmt.Sprintf("role %s needs an organisation", c.Role)}
		}
	}
	if c.Subject == "" {
		return &claimsError{"token needs a subject (sub)"}
	}
	return nil
}

var _ jwt.ClaimsValidator = (*Claims)(nil)

// UnmarshalJSON decodes a token's payload, refusing an exp, nbf or iat that is not a JSON
// number: RFC 7519 §2 makes a NumericDate a number, and jwt's decoder also takes a numeric
// string ("exp":"4102444800"), which no issuer of ours writes and a forger might.
func (c *Claims) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for _, name := range []string{"exp", "nbf", "iat"} {
		v, ok := raw[name]
		if !ok {
			continue
		}
		v = bytes.TrimSpace(v)
		if len(v) == 0 || !(v[0] == '-' || (v[0] >= '0' && v[0] <= '9')) {
			return &claimsError{fmt.Sprintf("claim %s must be a JSON number (RFC 7519 NumericDate)", name)}
		}
	}
	type plain Claims // the same fields, without this method
	return json.Unmarshal(b, (*plain)(c))
}

// HasRole reports whether the bearer holds one of roles. An admin holds them all, so a rule
// written for the people who do a job does not also have to remember the admins.
func (c *Claims) HasRole(roles ...Role) bool {
	if c == nil {
		return false
	}
	for _, r := range roles {
		if c.Role == r || c.Role == RoleAdmin {
			return true
		}
	}
	return false
}

type contextKey struct{}

// NewContext returns a copy of ctx carrying c.
func NewContext(ctx context.Context, c *Claims) context.Context {
	return context.WithValue(ctx, contextKey{}, c)
}

// FromContext returns the claims the interceptor put in ctx. It reports false for an
// anonymous caller of a public method.
func FromContext(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(contextKey{}).(*Claims)
	return c, ok && c != nil
}

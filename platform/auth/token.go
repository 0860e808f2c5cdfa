package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// issuerName and audienceName are the iss and aud of every vif token. A token minted by some
// other system that happens to share a key format must not pass for one of ours.
const (
	issuerName   = "vif"
	audienceName = "vif"
)

// The errors of Verify. The interceptor sends their text to the caller, so it must help a
// user and never carry the token or the key.
var (
	ErrTokenExpired = errors.New("token expired")
	ErrTokenInvalid = errors.New("invalid token")
)

// Issuer signs tokens. Only the service that logs users in should hold one.
type Issuer struct {
	Key ed25519.PrivateKey
	Now func() time.Time // nil means time.Now
}

// Issue returns a signed token carrying c, valid for ttl from now. It sets iss, aud, iat,
// nbf, exp and a random jti, overwriting whatever c had there; it keeps c's subject.
func (i Issuer) Issue(c Claims, ttl time.Duration) (string, error) {
	if len(i.Key) != ed25519.PrivateKeySize {
		return "", errors.New("auth: issuer has no Ed25519 private key")
	}
	if ttl <= 0 {
		return "", fmt.Errorf("auth: token lifetime %v; want > 0", ttl)
	}
	// Validate before signing: a token that Verify would refuse is a bug at the issuer.
	if err := c.Validate(); err != nil {
		return "", fmt.Errorf("auth: %w", err)
	}
	now := time.Now
	if i.Now != nil {
		now = i.Now
	}
	t := now()
	c.Issuer = issuerName
	c.Audience = jwt.ClaimStrings{audienceName}
	c.IssuedAt = jwt.NewNumericDate(t)
	c.NotBefore = jwt.NewNumericDate(t)
	c.ExpiresAt = jwt.NewNumericDate(t.Add(ttl))
	c.ID = rand.Text()
	s, err := jwt.NewWithClaims(jwt.SigningMethodEdDSA, &c).SignedString(i.Key)
	if err != nil {
		return "", fmt.Errorf("auth: sign token: %w", err)
	}
	return s, nil
}

// Verifier checks tokens: vif's own (EdDSA, issuer "vif", signed by the instance's key; it needs
// only the public half) and, when OIDC is set, those of the OpenID providers it trusts.
type Verifier struct {
	Key    ed25519.PublicKey
	Now    func() time.Time // nil means time.Now
	Leeway time.Duration    // clock skew tolerated on exp, nbf and iat
	// OIDC verifies the tokens of the configured OpenID providers; nil means none is trusted.
	OIDC *OIDCVerifier
	// Cache, when not nil, remembers the tokens VerifyContext accepted, of both kinds, for at
	// most their exp and the cache's maximum age (TokenCache); nil verifies every call in full.
	Cache *TokenCache
}

// VerifyContext is Verify for any token: vif's own go to vif's key; with OIDC set, any other
// goes to the OpenID provider its iss names, if it is trusted (its keys fetched with ctx the
// first time).
func (v Verifier) VerifyContext(ctx context.Context, token string) (*Claims, error) {
	if v.Cache == nil {
		return v.verifyContext(ctx, token)
	}
	now := v.now()
	if c, ok := v.Cache.get(token, now); ok {
		return c, nil
	}
	c, err := v.verifyContext(ctx, token)
	if err == nil {
		v.Cache.put(token, c, now)
	}
	return c, err
}

func (v Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v Verifier) verifyContext(ctx context.Context, token string) (*Claims, error) {
	if v.OIDC != nil {
		if iss, _, err := peek(token); err == nil && iss != issuerName {
			return v.OIDC.VerifyToken(ctx, token) // which refuses an issuer it does not trust
		}
	}
	return v.Verify(token)
}

// Verify returns the claims of token when its signature is ours (EdDSA only: alg "none",
// HMAC and the rest are refused, which closes the algorithm-confusion attacks), it was issued
// by and for vif, it has not expired, and Claims.Validate accepts it. Errors wrap
// ErrTokenExpired or ErrTokenInvalid.
func (v Verifier) Verify(token string) (*Claims, error) {
	if err := v.checkKey(); err != nil {
		return nil, err
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(issuerName),
		jwt.WithAudience(audienceName),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(v.Leeway),
	}
	if v.Now != nil {
		opts = append(opts, jwt.WithTimeFunc(v.Now))
	}
	var c Claims
	_, err := jwt.NewParser(opts...).ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		// WithValidMethods already refuses other algorithms; checking the type again costs
		// nothing and keeps the key from ever reaching another method's Verify.
		if _, ok := t.Method.(*jwt.SigningMethodEd25519); !ok {
			return nil, errors.New("not EdDSA")
		}
		return v.Key, nil
	})
	if err != nil {
		return nil, verifyError(err)
	}
	return &c, nil
}

func (v Verifier) checkKey() error {
	if len(v.Key) == 0 && v.OIDC != nil {
		return nil // only the providers' tokens are accepted
	}
	if len(v.Key) != ed25519.PublicKeySize {
		return fmt.Errorf("auth: verifier key is %d bytes; want a %d-byte Ed25519 public key", len(v.Key), ed25519.PublicKeySize)
	}
	return nil
}

// verifyError turns jwt's error into one of ours, in words a user can act on. Who issued the
// token and for whom is checked before expiry: telling a user with a foreign token that it
// "expired" would send them to log in again, in vain.
func verifyError(err error) error {
	var ce *claimsError
	why := "rejected"
	switch {
	case errors.As(err, &ce):
		why = ce.msg
	case errors.Is(err, jwt.ErrTokenMalformed):
		why = "malformed"
	case errors.Is(err, jwt.ErrTokenUnverifiable), errors.Is(err, jwt.ErrTokenSignatureInvalid):
		why = "bad signature (only EdDSA tokens issued by vif are accepted)"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		why = "not issued by vif"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		why = "not meant for vif"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		why = "missing a required claim"
	case errors.Is(err, jwt.ErrTokenExpired):
		return ErrTokenExpired
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		why = "not valid yet"
	}
	return fmt.Errorf("%w: %s", ErrTokenInvalid, why)
}

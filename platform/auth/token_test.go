package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var testNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func newKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func issue(t *testing.T, key ed25519.PrivateKey, at time.Time, c Claims, ttl time.Duration) string {
	t.Helper()
	tok, err := Issuer{Key: key, Now: fixedClock(at)}.Issue(c, ttl)
	if err != nil {
		t.Fatalf("Issue(%+v) = %v", c, err)
	}
	return tok
}

// validRaw returns registered claims Verify would accept, for tests that sign by hand.
func validRaw() jwt.RegisteredClaims {
	return jwt.RegisteredClaims{
		Subject:   "alice",
		Issuer:    "vif",
		Audience:  jwt.ClaimStrings{"vif"},
		IssuedAt:  jwt.NewNumericDate(testNow),
		ExpiresAt: jwt.NewNumericDate(testNow.Add(time.Hour)),
	}
}

func sign(t *testing.T, m jwt.SigningMethod, key any, c jwt.Claims) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestIssueVerifyRoundTrip(t *testing.T) {
	key := newKey(t)
	in := Claims{Role: RoleCoordinator, Network: "chalonnais", RegisteredClaims: jwt.RegisteredClaims{Subject: "alice"}}
	tok := issue(t, key, testNow, in, time.Hour)

	got, err := Verifier{Key: key.Public().(ed25519.PublicKey), Now: fixedClock(testNow.Add(30 * time.Minute))}.Verify(tok)
	if err != nil {
		t.Fatalf("Verify(issued token) = %v", err)
	}
	if got.Role != RoleCoordinator || got.Network != "chalonnais" || got.Subject != "alice" {
		t.Errorf("Verify(issued token) = %+v; want coordinator alice of chalonnais", got)
	}
	if got.Issuer != "vif" || len(got.Audience) != 1 || got.Audience[0] != "vif" {
		t.Errorf("Verify(issued token) iss, aud = %q, %q; want vif, [vif]", got.Issuer, got.Audience)
	}
	if !got.IssuedAt.Equal(testNow) || !got.NotBefore.Equal(testNow) || !got.ExpiresAt.Equal(testNow.Add(time.Hour)) {
		t.Errorf("Verify(issued token) iat, nbf, exp = %v, %v, %v; want %v, %v, %v",
			got.IssuedAt, got.NotBefore, got.ExpiresAt, testNow, testNow, testNow.Add(time.Hour))
	}
	if got.ID == "" {
		t.Errorf("Verify(issued token) jti = %q; want a random id", got.ID)
	}
	if again := issue(t, key, testNow, in, time.Hour); again == tok {
		t.Errorf("Issue twice gave the same token; want distinct jti")
	}
}

func TestIssueRejects(t *testing.T) {
	key := newKey(t)
	sub := jwt.RegisteredClaims{Subject: "alice"}
	tests := []struct {
		name string
		iss  Issuer
		c    Claims
		ttl  time.Duration
	}{
		{"coordinator without network", Issuer{Key: key}, Claims{Role: RoleCoordinator, RegisteredClaims: sub}, time.Hour},
		{"funder without organisation", Issuer{Key: key}, Claims{Role: RoleFunder, RegisteredClaims: sub}, time.Hour},
		{"unknown role", Issuer{Key: key}, Claims{Role: "root", RegisteredClaims: sub}, time.Hour},
		{"no subject", Issuer{Key: key}, Claims{Role: RoleAdmin}, time.Hour},
		{"zero ttl", Issuer{Key: key}, Claims{Role: RoleAdmin, RegisteredClaims: sub}, 0},
		{"no key", Issuer{}, Claims{Role: RoleAdmin, RegisteredClaims: sub}, time.Hour},
	}
	for _, tt := range tests {
		if tok, err := tt.iss.Issue(tt.c, tt.ttl); err == nil {
			t.Errorf("%s: Issue = %q, nil; want an error", tt.name, tok)
		}
	}
}

func TestVerifyRejects(t *testing.T) {
	key := newKey(t)
	pub := key.Public().(ed25519.PublicKey)
	good := Claims{Role: RoleReader, RegisteredClaims: jwt.RegisteredClaims{Subject: "alice"}}
	valid := issue(t, key, testNow, good, time.Hour)

	withRaw := func(edit func(*jwt.RegisteredClaims)) *Claims {
		c := &Claims{Role: RoleReader, RegisteredClaims: validRaw()}
		edit(&c.RegisteredClaims)
		return c
	}

	// tampered keeps the signature of valid but makes its bearer an admin.
	parts := strings.Split(valid, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatal(err)
	}
	m["role"] = "admin"
	payload, _ = json.Marshal(m)
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]

	// numericString is a valid token but for one date claim written as a numeric string.
	numericString := func(claim string) string {
		m := jwt.MapClaims{"role": "reader", "sub": "alice", "iss": "vif", "aud": "vif",
			"iat": testNow.Unix(), "exp": testNow.Add(time.Hour).Unix()}
		m[claim] = fmt.Sprint(m[claim])
		if claim == "nbf" {
			m[claim] = fmt.Sprint(testNow.Unix())
		}
		return sign(t, jwt.SigningMethodEdDSA, key, m)
	}

	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"exp as a numeric string", numericString("exp"), ErrTokenInvalid},
		{"iat as a numeric string", numericString("iat"), ErrTokenInvalid},
		{"nbf as a numeric string", numericString("nbf"), ErrTokenInvalid},
		{"expired", issue(t, key, testNow.Add(-2*time.Hour), good, time.Hour), ErrTokenExpired},
		{"signed by another key", issue(t, newKey(t), testNow, good, time.Hour), ErrTokenInvalid},
		{"tampered payload", tampered, ErrTokenInvalid},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, withRaw(func(*jwt.RegisteredClaims) {})), ErrTokenInvalid},
		// The classic algorithm confusion: the public key, which everyone may hold, used as an
		// HMAC secret.
		{"HS256 with the public key as secret", sign(t, jwt.SigningMethodHS256, []byte(pub), withRaw(func(*jwt.RegisteredClaims) {})), ErrTokenInvalid},
		{"wrong issuer", sign(t, jwt.SigningMethodEdDSA, key, withRaw(func(r *jwt.RegisteredClaims) { r.Issuer = "other" })), ErrTokenInvalid},
		{"no issuer", sign(t, jwt.SigningMethodEdDSA, key, withRaw(func(r *jwt.RegisteredClaims) { r.Issuer = "" })), ErrTokenInvalid},
		{"wrong audience", sign(t, jwt.SigningMethodEdDSA, key, withRaw(func(r *jwt.RegisteredClaims) { r.Audience = jwt.ClaimStrings{"other"} })), ErrTokenInvalid},
		{"no expiry", sign(t, jwt.SigningMethodEdDSA, key, withRaw(func(r *jwt.RegisteredClaims) { r.ExpiresAt = nil })), ErrTokenInvalid},
		{"not valid yet", sign(t, jwt.SigningMethodEdDSA, key, withRaw(func(r *jwt.RegisteredClaims) { r.NotBefore = jwt.NewNumericDate(testNow.Add(time.Minute)) })), ErrTokenInvalid},
		{"coordinator without network", sign(t, jwt.SigningMethodEdDSA, key, &Claims{Role: RoleCoordinator, RegisteredClaims: validRaw()}), ErrTokenInvalid},
		{"unknown role", sign(t, jwt.SigningMethodEdDSA, key, &Claims{Role: "root", RegisteredClaims: validRaw()}), ErrTokenInvalid},
		{"garbage", "not-a-token", ErrTokenInvalid},
		{"empty", "", ErrTokenInvalid},
	}
	v := Verifier{Key: pub, Now: fixedClock(testNow)}
	for _, tt := range tests {
		c, err := v.Verify(tt.token)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: Verify = %+v, %v; want %v", tt.name, c, err, tt.want)
		}
		if err != nil && tt.token != "" && strings.Contains(err.Error(), tt.token) {
			t.Errorf("%s: Verify error %q quotes the token", tt.name, err)
		}
	}
}

func TestVerifyLeeway(t *testing.T) {
	key := newKey(t)
	tok := issue(t, key, testNow, Claims{Role: RoleReader, RegisteredClaims: jwt.RegisteredClaims{Subject: "alice"}}, time.Hour)
	late := testNow.Add(time.Hour + 30*time.Second)
	tests := []struct {
		leeway time.Duration
		want   error
	}{
		{0, ErrTokenExpired},
		{time.Minute, nil},
	}
	for _, tt := range tests {
		v := Verifier{Key: key.Public().(ed25519.PublicKey), Now: fixedClock(late), Leeway: tt.leeway}
		if _, err := v.Verify(tok); !errors.Is(err, tt.want) {
			t.Errorf("Verify 30s after expiry with leeway %v = %v; want %v", tt.leeway, err, tt.want)
		}
	}
}

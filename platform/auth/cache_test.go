package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"sync"
	"testing"
	"time"
)

// clock is a settable clock for the cache's tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

// TestTokenCacheVerifiesOnce: a token accepted once is answered from the cache (no signature
// check: a handful of allocations instead of jwt's parse), with the same claims, each caller
// getting its own copy.
func TestTokenCacheVerifiesOnce(t *testing.T) {
	key := newKey(t)
	clk := &clock{now: testNow}
	tok := issue(t, key, testNow, Claims{Role: RoleCoordinator, Network: "louhannais", RegisteredClaims: validRaw()}, time.Hour)
	v := Verifier{Key: key.Public().(ed25519.PublicKey), Now: clk.Now, Cache: NewTokenCache(0, 0)}
	ctx := context.Background()
	first, err := v.VerifyContext(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	first.Network = "changed by a caller"
	again, err := v.VerifyContext(ctx, tok)
	if err != nil || again.Role != RoleCoordinator || again.Network != "louhannais" || again.Subject != "alice" {
		t.Fatalf("second VerifyContext = %+v, %v; want the same coordinator of louhannais", again, err)
	}
	uncached := testing.AllocsPerRun(20, func() { _, _ = v.Verify(tok) })
	cached := testing.AllocsPerRun(20, func() { _, _ = v.VerifyContext(ctx, tok) })
	if cached > 2 || uncached < 10 {
		t.Errorf("allocations per verification: %v from the cache, %v in full; want at most 2 from the cache", cached, uncached)
	}
}

// TestTokenCacheRespectsExpiryAndMaxAge: a cached token expires at its exp exactly as an
// uncached one does, and is verified again in full once the cache's maximum age has passed, so a
// key withdrawn (or a token revoked) stops working within that age.
func TestTokenCacheRespectsExpiryAndMaxAge(t *testing.T) {
	key, other := newKey(t), newKey(t)
	clk := &clock{now: testNow}
	cache := NewTokenCache(0, 10*time.Second)
	tok := issue(t, key, testNow, Claims{Role: RoleAdmin, RegisteredClaims: validRaw()}, time.Minute)
	v := Verifier{Key: key.Public().(ed25519.PublicKey), Now: clk.Now, Cache: cache}
	ctx := context.Background()
	if _, err := v.VerifyContext(ctx, tok); err != nil {
		t.Fatal(err)
	}

	// The same cache behind a verifier that no longer trusts the key: within the maximum age the
	// token is still answered from the cache (the documented bound), after it, refused.
	rotated := Verifier{Key: other.Public().(ed25519.PublicKey), Now: clk.Now, Cache: cache}
	clk.add(9 * time.Second)
	if _, err := rotated.VerifyContext(ctx, tok); err != nil {
		t.Errorf("within the cache's maximum age: %v; want the cached answer", err)
	}
	clk.add(time.Second)
	if _, err := rotated.VerifyContext(ctx, tok); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("after the cache's maximum age with the key withdrawn = %v; want ErrTokenInvalid", err)
	}

	// Verified again at testNow+55s, so cached until its exp at testNow+60s, not the 10 s of the
	// cache's maximum age.
	clk.add(45 * time.Second)
	if _, err := v.VerifyContext(ctx, tok); err != nil {
		t.Fatal(err)
	}
	clk.add(5 * time.Second)
	if _, err := v.VerifyContext(ctx, tok); !errors.Is(err, ErrTokenExpired) {
		t.Errorf("at its exp, cached = %v; want ErrTokenExpired", err)
	}
}

// TestTokenCacheRemembersOnlySuccesses: a refused token is refused on every call, and a token
// that differs from a cached one by a byte is not taken for it.
func TestTokenCacheRemembersOnlySuccesses(t *testing.T) {
	key := newKey(t)
	v := Verifier{Key: key.Public().(ed25519.PublicKey), Now: fixedClock(testNow), Cache: NewTokenCache(0, 0)}
	tok := issue(t, key, testNow, Claims{Role: RoleReader, RegisteredClaims: validRaw()}, time.Hour)
	ctx := context.Background()
	if _, err := v.VerifyContext(ctx, tok); err != nil {
		t.Fatal(err)
	}
	tampered := tok[:len(tok)-2] + "AA"
	if tok[len(tok)-2:] == "AA" {
		tampered = tok[:len(tok)-2] + "BB"
	}
	for range 2 {
		if _, err := v.VerifyContext(ctx, tampered); !errors.Is(err, ErrTokenInvalid) {
			t.Errorf("tampered token = %v; want ErrTokenInvalid", err)
		}
	}
	if n := len(v.Cache.entries); n != 1 {
		t.Errorf("cache holds %d tokens; want 1 (refusals are not remembered)", n)
	}
}

// TestTokenCacheIsBounded: a cache of n tokens never holds more than n.
func TestTokenCacheIsBounded(t *testing.T) {
	key := newKey(t)
	v := Verifier{Key: key.Public().(ed25519.PublicKey), Now: fixedClock(testNow), Cache: NewTokenCache(10, 0)}
	for range 35 {
		tok := issue(t, key, testNow, Claims{Role: RoleReader, RegisteredClaims: validRaw()}, time.Hour)
		if _, err := v.VerifyContext(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
		if n := len(v.Cache.entries); n > 10 {
			t.Fatalf("cache of 10 holds %d tokens", n)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	tok, err := Issuer{Key: key}.Issue(Claims{Role: RoleAdmin, RegisteredClaims: validRaw()}, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		cache *TokenCache
	}{{"full", nil}, {"cached", NewTokenCache(0, 0)}} {
		b.Run(c.name, func(b *testing.B) {
			v := Verifier{Key: key.Public().(ed25519.PublicKey), Cache: c.cache}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.VerifyContext(ctx, tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

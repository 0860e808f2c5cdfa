package auth

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"time"
)

// Defaults of NewTokenCache.
const (
	// DefaultCacheMaxAge is how long a verified token is trusted without checking it again: a
	// token revoked at its provider, or signed with a key the provider has since withdrawn, is
	// accepted at most this long after its last full verification, and never past its exp.
	DefaultCacheMaxAge = 10 * time.Second
	// DefaultCacheSize bounds the tokens remembered (a few hundred bytes each).
	DefaultCacheSize = 10_000
)

// TokenCache remembers the tokens a Verifier accepted, so that a caller who sends the same
// token on every call pays for its signature once rather than on each call. It is keyed by the
// SHA-256 of the token (the token itself is not kept), bounded, and an entry lasts until the
// token's exp or the cache's maximum age, whichever comes first: after that the token is
// verified again in full, so an expired token gets TOKEN_EXPIRED exactly as without the cache,
// and a revoked one stops working within the maximum age. Only successes are remembered: a
// refused token, or one whose provider did not answer, is verified again on the next call.
// A TokenCache is safe for concurrent use; the zero value is not usable (NewTokenCache).
type TokenCache struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte]cacheEntry
	size    int
	maxAge  time.Duration
}

type cacheEntry struct {
	claims Claims
	until  time.Time // exclusive
}

// NewTokenCache returns a cache of at most size tokens, each trusted for at most maxAge after
// its verification; zero or less means DefaultCacheSize and DefaultCacheMaxAge.
func NewTokenCache(size int, maxAge time.Duration) *TokenCache {
	if size <= 0 {
		size = DefaultCacheSize
	}
	if maxAge <= 0 {
		maxAge = DefaultCacheMaxAge
	}
	return &TokenCache{entries: make(map[[sha256.Size]byte]cacheEntry), size: size, maxAge: maxAge}
}

// MaxAge is how long a verified token is trusted without being verified again.
func (c *TokenCache) MaxAge() time.Duration { return c.maxAge }

// get returns a copy of the claims of token when it was verified less than the maximum age
// before now and has not reached its exp.
func (c *TokenCache) get(token string, now time.Time) (*Claims, bool) {
	key := sha256.Sum256([]byte(token))
	c.mu.Lock()
	e, ok := c.entries[key]
	if ok && !now.Before(e.until) {
		delete(c.entries, key)
		ok = false
	}
	c.mu.Unlock()
	if !ok {
		return nil, false
	}
	claims := e.claims
	return &claims, true
}

// put remembers claims, verified at now, for token. A token without a readable exp is not
// remembered: how long it stays valid is not known here.
func (c *TokenCache) put(token string, claims *Claims, now time.Time) {
	exp, ok := expiry(token, claims)
	if !ok || !now.Before(exp) {
		return
	}
	until := exp
	if limit := now.Add(c.maxAge); limit.Before(until) {
		until = limit
	}
	key := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.size {
		c.evict(now)
	}
	c.entries[key] = cacheEntry{claims: *claims, until: until}
}

// evict drops the entries past their time and, if that is not enough, arbitrary others until a
// tenth of the room is free, so that a full cache does not sweep on every insert.
func (c *TokenCache) evict(now time.Time) {
	for k, e := range c.entries {
		if !now.Before(e.until) {
			delete(c.entries, k)
		}
	}
	for k := range c.entries {
		if len(c.entries) < c.size-c.size/10 {
			break
		}
		delete(c.entries, k)
	}
}

// expiry is when token expires: its claims' exp (vif's tokens), else the exp of its payload (an
// OpenID provider's, whose signature the verifier has just checked).
func expiry(token string, claims *Claims) (time.Time, bool) {
	if claims.ExpiresAt != nil {
		return claims.ExpiresAt.Time, true
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, false
	}
	var p struct {
		Exp *json.Number `json:"exp"`
	}
	if err := json.Unmarshal(payload, &p); err != nil || p.Exp == nil {
		return time.Time{}, false
	}
	secs, err := p.Exp.Float64()
	if err != nil || secs <= 0 || secs > 1<<40 {
		return time.Time{}, false
	}
	whole := int64(secs)
	return time.Unix(whole, int64((secs-float64(whole))*1e9)), true
}

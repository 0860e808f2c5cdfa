package auth_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/auth/oidctest"
)

// TestTokenCacheServesOIDCTokens: an OpenID provider's token goes through the same cache as
// vif's own (its exp read from the verified token): answered from the cache while the cache's
// maximum age lasts, even once the provider has withdrawn its key, and refused after it.
func TestTokenCacheServesOIDCTokens(t *testing.T) {
	keyA, keyB := oidctest.NewRSAKey(t, "key-a"), oidctest.NewRSAKey(t, "key-b")
	p := oidctest.Start(t, apiAudience, []oidctest.Key{keyA}, clients()...)
	var skew atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	v := auth.Verifier{OIDC: newVerifier(t, p.Issuer, nil), Now: now, Cache: auth.NewTokenCache(0, 0)}
	ctx := context.Background()
	tok := p.Token("coordinator")
	if got, err := v.VerifyContext(ctx, tok); err != nil || got.Role != auth.RoleCoordinator || got.Network != "louhannais" {
		t.Fatalf("VerifyContext(coordinator) = %+v, %v", got, err)
	}
	p.Rotate([]oidctest.Key{keyB})
	// A token of the new key makes the provider's key set be fetched again, without key-a.
	if _, err := v.VerifyContext(ctx, p.Token("admin")); err != nil {
		t.Fatalf("token of the new key: %v", err)
	}
	if got, err := v.VerifyContext(ctx, tok); err != nil || got.Role != auth.RoleCoordinator || got.Subject != "coordinator" {
		t.Errorf("within the cache's maximum age = %+v, %v; want the cached coordinator", got, err)
	}
	// Past the cache's maximum age the token is checked in full again, and refused (each try
	// moves the clock past the maximum age again, so that no try is answered from the cache).
	err := oidctest.Recheck(func() error {
		skew.Add(int64(auth.DefaultCacheMaxAge))
		_, err := v.VerifyContext(ctx, tok)
		return err
	})
	if !errors.Is(err, auth.ErrTokenInvalid) {
		t.Errorf("after the cache's maximum age, key withdrawn = %v; want ErrTokenInvalid", err)
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/vif71/vif/cmd/vif/internal/identity"
	"github.com/vif71/vif/platform/auth"
)

// signInAudience is the aud of the built-in provider's access tokens.
const signInAudience = "vif"

// listenSignIn opens the built-in OpenID provider's listener, when it runs, and settles its
// issuer URL: --auth-issuer, or the listener's own address.
func listenSignIn(in *instance, s settings) (net.Listener, error) {
	if s.authAddr == "" {
		return nil, nil
	}
	lis, err := listen(in, s.authAddr)
	if err != nil {
		return nil, fmt.Errorf("--auth-addr: %w", err)
	}
	in.issuer = strings.TrimSuffix(s.authIssuer, "/")
	if in.issuer == "" {
		in.issuer = "http://" + dialAddr(lis.Addr())
	}
	return lis, nil
}

// signInIssuer is how the services trust the built-in provider: through auth.OIDCVerifier, as
// they trust ProConnect or a Keycloak realm (discovery, JWKS, claim mapping), so the embedded
// default runs the production path.
func signInIssuer(issuer string) auth.IssuerConfig {
	return auth.IssuerConfig{Issuer: issuer, Audience: signInAudience, Algorithms: []string{"RS256"}, Claims: identity.ClaimMapping}
}

// startSignIn builds the provider, seeds its demo accounts, and returns its server. The web
// console may receive its code at the gateway's root or on the provider's own page.
func startSignIn(ctx context.Context, in *instance, s settings, gatewayAddr string) (*http.Server, error) {
	p, err := identity.New(ctx, identity.Config{
		DataDir: s.dataDir, Issuer: in.issuer, Audience: signInAudience,
		ConsoleRedirectURIs: []string{"http://" + gatewayAddr + "/", identity.SignedInURL(in.issuer)},
		Logger:              s.log.With("component", "identity"),
	})
	if err != nil {
		return nil, err
	}
	in.closers = append(in.closers, func() { p.Close() })
	if s.seed {
		if in.demoPasswords, err = p.Seed(ctx); err != nil {
			return nil, err
		}
	}
	return &http.Server{Handler: p.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}, nil
}

// serveSignIn serves the provider until ctx ends, then lets the requests in flight finish.
func serveSignIn(ctx context.Context, srv *http.Server, lis net.Listener) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	select {
	case err := <-served:
		return fmt.Errorf("sign-in: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}

func signInBanner(in *instance) string {
	if in.issuer == "" {
		return ""
	}
	where := "add accounts with: go run ./cmd/vif users add"
	if in.demoPasswords != "" {
		where = "demo accounts, one per role, and their passwords in " + in.demoPasswords
	}
	return fmt.Sprintf("  sign-in  %s   (built-in OpenID provider; %s)\n", in.issuer, where)
}

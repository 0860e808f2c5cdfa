package identity

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/vif71/vif/platform/auth"
)

// Config is what the provider is told.
type Config struct {
	DataDir string
	// Issuer is the provider's URL as browsers and the services reach it (http://127.0.0.1:8081).
	Issuer string
	// Audience is the aud of the access tokens, what the services check.
	Audience string
	// ConsoleRedirectURIs are where the web console may receive its code.
	ConsoleRedirectURIs []string
	Logger              *slog.Logger
}

// Provider is a running built-in OpenID provider.
type Provider struct {
	Handler http.Handler
	Store   *Store
	cfg     Config
}

// SignedInURL is the provider's own page that a console redirect may land on: it says the
// sign-in succeeded (the code is in its URL, for the page's script to exchange).
func SignedInURL(issuer string) string { return strings.TrimSuffix(issuer, "/") + signedInPath }

// New opens the provider's database in the data directory and builds its HTTP handler.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	key, err := loadOrCreateKey(filepath.Join(cfg.DataDir, KeyFile))
	if err != nil {
		return nil, err
	}
	st, err := Open(ctx, filepath.Join(cfg.DataDir, File))
	if err != nil {
		return nil, err
	}
	storage := &opStorage{Store: st, log: cfg.Logger, key: key, audience: cfg.Audience, console: &consoleClient{redirectURIs: cfg.ConsoleRedirectURIs}}
	// The codes the op package hands out are this key's encryption of the request id; a fresh
	// key per start only voids the codes of sign-ins in flight during a restart.
	var cryptoKey [32]byte
	if _, err := rand.Read(cryptoKey[:]); err != nil {
		st.Close()
		return nil, err
	}
	opts := []op.Option{}
	if strings.HasPrefix(cfg.Issuer, "http://") {
		opts = append(opts, op.WithAllowInsecure())
	}
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:             cryptoKey,
		CodeMethodS256:        true,
		AuthMethodPost:        true,
		GrantTypeRefreshToken: true,
		SupportedUILocales:    []language.Tag{language.French},
	}, storage, op.StaticIssuer(cfg.Issuer), opts...)
	if err != nil {
		st.Close()
		return nil, err
	}
	l := &login{store: storage, callback: op.AuthCallbackURL(provider), log: cfg.Logger, throttle: newThrottle()}
	issuerOf := op.NewIssuerInterceptor(provider.IssuerFromRequest)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+loginPath, l.show)
	mux.Handle("POST "+loginPath, issuerOf.HandlerFunc(l.submit))
	mux.HandleFunc("GET "+signedInPath, signedIn)
	mux.Handle("/oauth/token", auditTokens(provider, cfg.Logger))
	mux.Handle("/", provider)
	return &Provider{Handler: mux, Store: st, cfg: cfg}, nil
}

// Close closes the provider's database.
func (p *Provider) Close() error { return p.Store.Close() }

// ClaimMapping is where vif's role and scope are in the provider's access tokens.
var ClaimMapping = auth.ClaimMapping{Roles: claimRole, Network: claimNetwork, Organisation: claimOrganisation}

// IssuerConfig is how the services trust this provider: as any OpenID provider.
func (p *Provider) IssuerConfig() auth.IssuerConfig {
	return auth.IssuerConfig{Issuer: p.cfg.Issuer, Audience: p.cfg.Audience, Algorithms: []string{"RS256"}, Claims: ClaimMapping}
}

// auditTokens writes an audit line per token request: the grant, the client, and how it ended.
// A client's secret, a code or a refresh token never appear.
func auditTokens(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		client := r.PostForm.Get("client_id")
		if id, _, ok := r.BasicAuth(); ok {
			client = id
		}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		outcome := "OK"
		if rec.status >= 400 {
			outcome = fmt.Sprintf("HTTP %d", rec.status)
		}
		log.LogAttrs(r.Context(), slog.LevelInfo, "audit", slog.String("who", client), slog.String("method", "identity.Token"),
			slog.String("grant", r.PostForm.Get("grant_type")), slog.String("outcome", outcome), slog.String("remote", clientIP(r)))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// DemoAccount is one of the accounts the seed creates.
type DemoAccount struct{ Email, Role, Network, Organisation string }

// DemoAccounts are the seed's accounts: one per role.
var DemoAccounts = []DemoAccount{
	{Email: "admin@demo.vif.test", Role: "admin"},
	{Email: "coordination.louhannais@demo.vif.test", Role: "coordinator", Network: "louhannais"},
	{Email: "lecture@demo.vif.test", Role: "reader"},
	{Email: "finances@demo.vif.test", Role: "finance"},
	{Email: "flotte@demo.vif.test", Role: "fleet"},
	{Email: "financeur.prefecture@demo.vif.test", Role: "funder", Organisation: "prefecture-71"},
	{Email: "beneficiaire.cidff@demo.vif.test", Role: "beneficiary", Organisation: "cidff-71"},
}

// DemoPasswordsFile, in the data directory, lists the demo accounts and their passwords.
const DemoPasswordsFile = "demo-passwords.txt"

// Seed creates the demo accounts when the provider has none, with random passwords written to
// DemoPasswordsFile (mode 0600) and nowhere else. It returns the file's path.
func (p *Provider) Seed(ctx context.Context) (string, error) {
	path := filepath.Join(p.cfg.DataDir, DemoPasswordsFile)
	existing, err := p.Store.Accounts(ctx)
	if err != nil {
		return "", err
	}
	if len(existing) > 0 { // seeded before, or an operator's accounts: leave them be
		if _, err := os.Stat(path); err != nil {
			return "", nil
		}
		return path, nil
	}
	var b strings.Builder
	b.WriteString("# Demo accounts of the built-in OpenID provider (vif users list). Sign in at " + p.cfg.Issuer + "\n")
	for _, d := range DemoAccounts {
		password := rand.Text()
		if _, err := p.Store.AddAccount(ctx, d.Email, d.Role, d.Network, d.Organisation, password); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", d.Email, password, d.Role, d.Network+d.Organisation)
	}
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}

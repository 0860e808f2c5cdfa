package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	josejwt "github.com/go-jose/go-jose/v4/jwt"

	"github.com/vif71/vif/cmd/vif/internal/identity"
	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/auth/oidctest"
)

const report = `{"period":"2024-01","counts":{"victimsSupported":"12"}}`

// startSignIn runs the embedded default with its built-in OpenID provider, its log in a sink.
func startWithSignIn(t *testing.T, dataDir string) (*instance, *logSink) {
	t.Helper()
	sink := &logSink{}
	in, _ := startEmbedded(t, dataDir, func(s *settings) {
		s.authAddr = "127.0.0.1:0"
		s.log = slog.New(slog.NewJSONHandler(sink, nil))
	})
	return in, sink
}

// vif runs a vif command against dataDir and returns what it printed.
func vif(t *testing.T, dataDir string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	args = append(append(args[:2:2], "--data-dir", dataDir), args[2:]...)
	err := run(context.Background(), args, func(string) string { return "" }, &out)
	return out.String(), err
}

// field reads "name: value" from a command's output.
func field(t *testing.T, out, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + name + `: (\S+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %s in %q", name, out)
	}
	return m[1]
}

// tokenRequest posts to the provider's token endpoint.
func tokenRequest(t *testing.T, issuer string, form url.Values, user, password string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("POST", issuer+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(password))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func clientToken(t *testing.T, issuer, id, secret string) (int, string) {
	t.Helper()
	status, body := tokenRequest(t, issuer, url.Values{"grant_type": {"client_credentials"}}, id, secret)
	tok, _ := body["access_token"].(string)
	return status, tok
}

// TestInstitutionalSystemsUseClientCredentials: `vif clients add` gives a system a secret, shown
// once; its tokens carry the role and network it was given, through the gateway and the services;
// a wrong secret gets nothing; once revoked, the secret gets no new token. Each token request is
// an audit line that never holds the secret.
func TestInstitutionalSystemsUseClientCredentials(t *testing.T) {
	dir := t.TempDir()
	in, logs := startWithSignIn(t, dir)
	api := "http://" + in.httpAddr

	out, err := vif(t, dir, "clients", "add", "--name", "SI Réseau Louhannais", "--role", "coordinator", "--network", "louhannais")
	if err != nil {
		t.Fatalf("vif clients add: %v", err)
	}
	id, secret := field(t, out, "client_id"), field(t, out, "client_secret")
	if id != "si-r-seau-louhannais" && !strings.HasPrefix(id, "si-") {
		t.Errorf("client id %q; want one made from the name", id)
	}
	if _, err := vif(t, dir, "clients", "add", "--name", "SI Nulle part", "--role", "coordinator", "--network", "nowhere"); err == nil {
		t.Error("vif clients add --network nowhere: no error; want the unknown network refused")
	}

	status, tok := clientToken(t, in.issuer, id, secret)
	if status != 200 || tok == "" {
		t.Fatalf("client credentials: %d; want 200 and a token", status)
	}
	for _, c := range []struct {
		path string
		want int
	}{
		{"/v1/networks/louhannais/reports", 200},
		{"/v1/networks/chalonnais/reports", 403},
	} {
		if resp, raw := do(t, "POST", api+c.path, jsonCall(tok, report), report); resp.StatusCode != c.want {
			t.Errorf("POST %s with the system's token = %d %s; want %d", c.path, resp.StatusCode, raw, c.want)
		}
	}
	if status, tok := clientToken(t, in.issuer, id, "not-the-secret"); status == 200 || tok != "" {
		t.Errorf("client credentials with a wrong secret = %d; want a refusal", status)
	}

	if out, err := vif(t, dir, "clients", "list"); err != nil || !regexp.MustCompile(id+`\s.*coordinator\s+louhannais\s+active`).MatchString(out) {
		t.Errorf("vif clients list = %q, %v; want %s active", out, err, id)
	}
	if _, err := vif(t, dir, "clients", "revoke", "--id", id); err != nil {
		t.Fatalf("vif clients revoke: %v", err)
	}
	if status, tok := clientToken(t, in.issuer, id, secret); status == 200 || tok != "" {
		t.Errorf("client credentials once revoked = %d; want a refusal", status)
	}
	if out, _ := vif(t, dir, "clients", "list"); !strings.Contains(out, "revoked") {
		t.Errorf("vif clients list after revoke = %q; want it revoked", out)
	}

	lines := logs.lines(t, map[string]string{"msg": "audit", "method": "identity.Token", "who": id})
	if len(lines) < 3 || lines[0]["outcome"] != "OK" || lines[0]["grant"] != "client_credentials" || lines[len(lines)-1]["outcome"] == "OK" {
		t.Errorf("audit lines of the token requests = %v; want one per request, the first OK, the last refused", lines)
	}
	logs.mu.Lock()
	leaked := strings.Contains(logs.buf.String(), secret)
	logs.mu.Unlock()
	if leaked {
		t.Error("the client secret is in the log")
	}
}

// TestBuiltInProviderTokensMeetTheRelyingPartyChecks runs the relying-party checks of
// platform/auth's oidc_test.go against the built-in provider: its tokens are accepted with the
// right role and scope, live ten minutes, and every bad one is refused with its reason.
func TestBuiltInProviderTokensMeetTheRelyingPartyChecks(t *testing.T) {
	dir := t.TempDir()
	in, _ := startWithSignIn(t, dir)
	ctx := context.Background()
	secrets := map[string]string{}
	for _, c := range [][]string{
		{"--name", "coordination", "--role", "coordinator", "--network", "louhannais"},
		{"--name", "prefecture", "--role", "funder", "--organisation", "prefecture-71"},
		{"--name", "admin", "--role", "admin"},
	} {
		out, err := vif(t, dir, append([]string{"clients", "add"}, c...)...)
		if err != nil {
			t.Fatal(err)
		}
		secrets[field(t, out, "client_id")] = field(t, out, "client_secret")
	}
	token := func(id string) string {
		_, tok := clientToken(t, in.issuer, id, secrets[id])
		return tok
	}
	cfg := signInIssuer(in.issuer)
	verifier := func(edit func(*auth.IssuerConfig), now func() time.Time) *auth.OIDCVerifier {
		c := cfg
		if edit != nil {
			edit(&c)
		}
		v, err := auth.NewOIDCVerifier([]auth.IssuerConfig{c}, now)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v := verifier(nil, nil)
	for _, c := range []struct {
		client, network, organisation string
		role                          auth.Role
	}{
		{"coordination", "louhannais", "", auth.RoleCoordinator},
		{"prefecture", "", "prefecture-71", auth.RoleFunder},
		{"admin", "", "", auth.RoleAdmin},
	} {
		got, err := v.VerifyToken(ctx, token(c.client))
		if err != nil {
			t.Errorf("token of %s: %v", c.client, err)
			continue
		}
		if got.Role != c.role || got.Network != c.network || got.Organisation != c.organisation || got.Subject != c.client || got.Issuer != in.issuer {
			t.Errorf("token of %s = %+v; want role %s network %q organisation %q sub %s iss %s", c.client, got, c.role, c.network, c.organisation, c.client, in.issuer)
		}
	}

	stranger := oidctest.NewRSAKey(t, "x")
	tok := token("admin")
	parsed, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	stranger.KeyID = parsed.Signatures[0].Protected.KeyID // the provider's kid, another key
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: stranger.JSONWebKey}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	forged, err := josejwt.Signed(signer).Claims(map[string]any{
		"iss": in.issuer, "aud": "vif", "sub": "intrus", "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(), "vif_role": "admin",
	}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what, token string
		v           *auth.OIDCVerifier
		want        error
		why         string
	}{
		{"another audience", tok, verifier(func(c *auth.IssuerConfig) { c.Audience = "https://other.example" }, nil), auth.ErrTokenInvalid, "not for this API"},
		{"an algorithm not allowed", tok, verifier(func(c *auth.IssuerConfig) { c.Algorithms = []string{"ES256"} }, nil), auth.ErrTokenInvalid, "RS256 is not allowed"},
		{"a key the issuer does not publish", forged, v, auth.ErrTokenInvalid, "does not publish"},
		{"an issuer not trusted", tok, verifier(func(c *auth.IssuerConfig) { c.Issuer = "http://127.0.0.1:1" }, nil), auth.ErrTokenInvalid, "not trusted"},
		{"a token past its ten minutes", tok, verifier(nil, func() time.Time { return time.Now().Add(identity.AccessTokenLifetime + time.Minute) }), auth.ErrTokenExpired, "expired"},
	} {
		_, err := c.v.VerifyToken(ctx, c.token)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s: VerifyToken = %v; want %v saying %q", c.what, err, c.want, c.why)
		}
	}
	if _, err := verifier(nil, func() time.Time { return time.Now().Add(identity.AccessTokenLifetime - time.Minute) }).VerifyToken(ctx, tok); err != nil {
		t.Errorf("a token within its ten minutes: %v; want it accepted", err)
	}
}

// pkce returns a code verifier and its S256 challenge (RFC 7636).
func pkce() (verifier, challenge string) {
	verifier = rand.Text() + rand.Text()
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorizeURL is where the console sends a person to sign in.
func authorizeURL(issuer, redirect, challenge, method string) string {
	return issuer + "/authorize?" + url.Values{
		"client_id": {identity.ConsoleClientID}, "response_type": {"code"}, "scope": {"openid email offline_access"},
		"redirect_uri": {redirect}, "state": {"etat-42"}, "code_challenge": {challenge}, "code_challenge_method": {method},
	}.Encode()
}

// demoPassword reads a demo account's password from the file the seed wrote.
func demoPassword(t *testing.T, dataDir, email string) string {
	t.Helper()
	path := filepath.Join(dataDir, identity.DemoPasswordsFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v; want 0600", path, fi.Mode().Perm())
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if cols := strings.Split(sc.Text(), "\t"); len(cols) > 1 && cols[0] == email {
			return cols[1]
		}
	}
	t.Fatalf("no %s in %s", email, path)
	return ""
}

// loginForm follows the authorize URL to the login page, as a browser would, and returns the
// page's form fields.
func loginForm(t *testing.T, c *http.Client, authorize string) (url.Values, int) {
	t.Helper()
	resp, err := c.Get(authorize)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	// The page runs no script, loads nothing, may not be framed; its anti-forgery cookie stays
	// on this site.
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("login page Content-Security-Policy %q; want default-src and frame-ancestors 'none'", csp)
	}
	if bytes.Contains(page, []byte("<script")) {
		t.Error("the login page holds a script")
	}
	if u, _ := url.Parse(authorize); !strings.Contains(fmt.Sprint(c.Jar.Cookies(&url.URL{Scheme: "http", Host: u.Host, Path: "/login"})), "vif_csrf") {
		t.Error("the login page set no anti-forgery cookie")
	}
	if sc := resp.Header.Get("Set-Cookie"); !strings.Contains(sc, "SameSite=Strict") || !strings.Contains(sc, "HttpOnly") {
		t.Errorf("anti-forgery cookie %q; want SameSite=Strict and HttpOnly", sc)
	}
	form := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="(\w+)" value="([^"]*)">`).FindAllSubmatch(page, -1) {
		form.Set(string(m[1]), string(m[2]))
	}
	return form, resp.StatusCode
}

// signIn posts the login form and returns the status and, on success, the code the redirect
// carries.
func signIn(t *testing.T, c *http.Client, issuer string, form url.Values, email, password string) (int, string, []byte) {
	t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("email", email)
	f.Set("password", password)
	resp, err := c.PostForm(issuer+"/login", f)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	code := resp.Request.URL.Query().Get("code")
	if code != "" && resp.Request.URL.Query().Get("state") != "etat-42" {
		t.Errorf("redirect %s: the state is not the one sent", resp.Request.URL)
	}
	return resp.StatusCode, code, body
}

func browserlessClient(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

// TestSignInWithTheCodeFlow drives the login page over HTTP: a demo coordinator signs in, the
// code is exchanged with its PKCE verifier for tokens the API takes; the refresh token rotates
// (the old one then works no more, and presented again it revokes the sign-in); a disabled
// account's refresh is refused at once. PKCE plain
// and a forged form post are refused, guessing is throttled, and each attempt is audited
// without the password.
func TestSignInWithTheCodeFlow(t *testing.T) {
	dir := t.TempDir()
	in, logs := startWithSignIn(t, dir)
	api := "http://" + in.httpAddr
	redirect := identity.SignedInURL(in.issuer)
	const email = "coordination.louhannais@demo.vif.test"
	password := demoPassword(t, dir, email)
	c := browserlessClient(t)

	// PKCE with the plain method is refused before any login page.
	_, plain := pkce()
	resp, err := http.Get(authorizeURL(in.issuer, redirect, plain, "plain"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if q := resp.Request.URL.Query(); q.Get("error") != "invalid_request" {
		t.Errorf("authorize with PKCE plain ended at %s; want error=invalid_request", resp.Request.URL)
	}

	verifier, challenge := pkce()
	form, status := loginForm(t, c, authorizeURL(in.issuer, redirect, challenge, "S256"))
	if status != 200 || form.Get("authRequestID") == "" || form.Get("csrf") == "" {
		t.Fatalf("login page: %d, form %v", status, form)
	}
	// A post from another site carries no CSRF cookie.
	if st, code, _ := signIn(t, browserlessClient(t), in.issuer, form, email, password); st != 403 || code != "" {
		t.Errorf("login post without the CSRF cookie = %d (code %q); want 403", st, code)
	}
	if st, code, body := signIn(t, c, in.issuer, form, email, "mauvais mot de passe"); st != 401 || code != "" || !bytes.Contains(body, []byte("incorrect")) {
		t.Errorf("wrong password = %d (code %q); want 401 saying it is incorrect", st, code)
	}
	st, code, _ := signIn(t, c, in.issuer, form, email, password)
	if st != 200 || code == "" {
		t.Fatalf("sign-in = %d, code %q; want the signed-in page with a code", st, code)
	}
	if st, again, _ := signIn(t, c, in.issuer, form, email, password); st != 400 || again != "" {
		t.Errorf("the same login form posted again = %d (code %q); want 400", st, again)
	}

	exchange := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "client_id": {identity.ConsoleClientID}}
	if st, _ := tokenRequest(t, in.issuer, exchange, "", ""); st == 200 {
		t.Error("code exchange without the PKCE verifier = 200; want a refusal")
	}
	exchange.Set("code_verifier", verifier)
	st, tokens := tokenRequest(t, in.issuer, exchange, "", "")
	access, _ := tokens["access_token"].(string)
	refresh, _ := tokens["refresh_token"].(string)
	if st != 200 || access == "" || refresh == "" {
		t.Fatalf("code exchange = %d %v; want access and refresh tokens", st, tokens)
	}
	if exp, _ := tokens["expires_in"].(float64); exp > identity.AccessTokenLifetime.Seconds() || exp < 60 {
		t.Errorf("expires_in = %v; want at most %v", exp, identity.AccessTokenLifetime)
	}
	if st, _ := tokenRequest(t, in.issuer, exchange, "", ""); st == 200 {
		t.Error("second exchange of the same code = 200; want a refusal")
	}
	if resp, raw := do(t, "POST", api+"/v1/networks/louhannais/reports", jsonCall(access, report), report); resp.StatusCode != 200 {
		t.Errorf("report for their network with the signed-in token = %d %s; want 200", resp.StatusCode, raw)
	}
	if resp, raw := do(t, "POST", api+"/v1/networks/chalonnais/reports", jsonCall(access, report), report); resp.StatusCode != 403 {
		t.Errorf("report for another network = %d %s; want 403", resp.StatusCode, raw)
	}

	renew := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {identity.ConsoleClientID}}
	st, renewed := tokenRequest(t, in.issuer, renew, "", "")
	next, _ := renewed["refresh_token"].(string)
	if st != 200 || next == "" || next == refresh || renewed["access_token"] == nil {
		t.Fatalf("refresh = %d %v; want new access and refresh tokens", st, renewed)
	}
	if st, _ := tokenRequest(t, in.issuer, renew, "", ""); st == 200 {
		t.Error("the refresh token used a second time = 200; want it refused (rotation)")
	}
	// That second use reveals a copy: the whole sign-in is revoked, its newest token too.
	if st, _ := tokenRequest(t, in.issuer, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {next}, "client_id": {identity.ConsoleClientID}}, "", ""); st == 200 {
		t.Error("refresh with the successor of a reused token = 200; want the session revoked")
	}

	verifier, challenge = pkce()
	form, _ = loginForm(t, c, authorizeURL(in.issuer, redirect, challenge, "S256"))
	_, code, _ = signIn(t, c, in.issuer, form, email, password)
	exchange.Set("code", code)
	exchange.Set("code_verifier", verifier)
	_, tokens = tokenRequest(t, in.issuer, exchange, "", "")
	if _, err := vif(t, dir, "users", "disable", "--email", email); err != nil {
		t.Fatal(err)
	}
	renew.Set("refresh_token", fmt.Sprint(tokens["refresh_token"]))
	if st, _ := tokenRequest(t, in.issuer, renew, "", ""); st == 200 {
		t.Error("refresh of a disabled account = 200; want it refused at once")
	}
	_, challenge = pkce()
	form, _ = loginForm(t, c, authorizeURL(in.issuer, redirect, challenge, "S256"))
	if st, code, _ := signIn(t, c, in.issuer, form, email, password); st != 401 || code != "" {
		t.Errorf("sign-in of a disabled account = %d (code %q); want 401", st, code)
	}

	// Guessing: after MaxFailures failures the right password is refused too, for a while.
	const reader = "lecture@demo.vif.test"
	for i := 0; i < identity.MaxFailures; i++ {
		signIn(t, c, in.issuer, form, reader, "essai")
	}
	if st, code, body := signIn(t, c, in.issuer, form, reader, demoPassword(t, dir, reader)); st != 429 || code != "" || !bytes.Contains(body, []byte("Trop de tentatives")) {
		t.Errorf("sign-in after %d failures = %d (code %q); want 429", identity.MaxFailures, st, code)
	}

	audit := func(who, outcome string) int {
		return len(logs.lines(t, map[string]string{"msg": "audit", "method": "identity.SignIn", "who": who, "outcome": outcome}))
	}
	if audit(email, "OK") != 2 || audit(email, "Unauthenticated") != 2 || audit(reader, "Unauthenticated") != identity.MaxFailures || audit(reader, "ResourceExhausted") != 1 {
		t.Errorf("audit lines: %d sign-in, %d failures of %s, %d failures and %d throttled of %s; want 2, 2, %d, 1",
			audit(email, "OK"), audit(email, "Unauthenticated"), email, audit(reader, "Unauthenticated"), audit(reader, "ResourceExhausted"), reader, identity.MaxFailures)
	}
	logs.mu.Lock()
	leaked := strings.Contains(logs.buf.String(), password)
	logs.mu.Unlock()
	if leaked {
		t.Error("a password is in the log")
	}
}

// TestUsersCommands: an account added with a generated password, shown once, signs in; the list
// shows it; an unknown network or a duplicate is refused.
func TestUsersCommands(t *testing.T) {
	dir := t.TempDir()
	out, err := vif(t, dir, "users", "add", "--email", "Camille.Martin@exemple.fr", "--role", "coordinator", "--network", "louhannais")
	if err != nil {
		t.Fatalf("vif users add: %v", err)
	}
	password := field(t, out, "password")
	if len(password) < 20 {
		t.Errorf("generated password %q; want a long random one", password)
	}
	for _, bad := range [][]string{
		{"--email", "camille.martin@exemple.fr", "--role", "reader"},
		{"--email", "x@exemple.fr", "--role", "coordinator", "--network", "nowhere"},
		{"--email", "y@exemple.fr", "--role", "coordinator"},
		{"--email", "pas-une-adresse", "--role", "reader"},
		{"--email", "z@exemple.fr", "--role", "chef"},
	} {
		if _, err := vif(t, dir, append([]string{"users", "add"}, bad...)...); err == nil {
			t.Errorf("vif users add %v: no error", bad)
		}
	}
	in, _ := startWithSignIn(t, dir)
	if out, _ := vif(t, dir, "users", "list"); !regexp.MustCompile(`camille\.martin@exemple\.fr\s+coordinator\s+louhannais\s+active`).MatchString(out) {
		t.Errorf("vif users list = %q; want the account, active", out)
	}
	if _, err := os.Stat(filepath.Join(dir, identity.DemoPasswordsFile)); err == nil {
		t.Error("the seed added demo accounts beside an operator's account; want it to add them only to an empty provider")
	}
	c := browserlessClient(t)
	_, challenge := pkce()
	form, _ := loginForm(t, c, authorizeURL(in.issuer, identity.SignedInURL(in.issuer), challenge, "S256"))
	if st, code, _ := signIn(t, c, in.issuer, form, "camille.martin@exemple.fr", password); st != 200 || code == "" {
		t.Errorf("sign-in with the generated password = %d, code %q; want a code", st, code)
	}
	if _, err := vif(t, dir, "users", "disable", "--email", "nobody@exemple.fr"); err == nil {
		t.Error("vif users disable of an unknown account: no error")
	}
}

// TestBuiltInProviderKeyReplacementIsFollowed: when the operator replaces the provider's key
// (deletes the file and restarts), a relying party that cached the old key set takes the new
// key's tokens and refuses those of the old one.
func TestBuiltInProviderKeyReplacementIsFollowed(t *testing.T) {
	dir := t.TempDir()
	first, stop := startEmbedded(t, dir, func(s *settings) { s.authAddr = "127.0.0.1:0" })
	out, err := vif(t, dir, "clients", "add", "--name", "lecteur", "--role", "reader")
	if err != nil {
		t.Fatal(err)
	}
	id, secret := field(t, out, "client_id"), field(t, out, "client_secret")
	v, err := auth.NewOIDCVerifier([]auth.IssuerConfig{signInIssuer(first.issuer)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, old := clientToken(t, first.issuer, id, secret)
	if _, err := v.VerifyToken(ctx, old); err != nil {
		t.Fatalf("token before the replacement: %v", err)
	}
	stop()
	if err := os.Remove(filepath.Join(dir, identity.KeyFile)); err != nil {
		t.Fatal(err)
	}
	second, _ := startEmbedded(t, dir, func(s *settings) { s.authAddr = strings.TrimPrefix(first.issuer, "http://") })
	_, fresh := clientToken(t, second.issuer, id, secret)
	if _, err := v.VerifyToken(ctx, fresh); err != nil {
		t.Errorf("token of the new key: %v; want it accepted", err)
	}
	if err := oidctest.Recheck(func() error { _, err := v.VerifyToken(ctx, old); return err }); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Errorf("token of the replaced key = %v; want ErrTokenInvalid", err)
	}
}

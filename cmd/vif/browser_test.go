package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vif71/vif/cmd/vif/internal/identity"
)

// chromium finds Debian's Chromium (`apt-get install chromium`, which `make test` does), or the
// one VIF_CHROMIUM names. Browser tests fail rather than skip without it: CI must run them.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("VIF_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium: install Debian's chromium (apt-get install chromium) or set VIF_CHROMIUM")
	return ""
}

// browser starts a headless Chromium for the test, with the flags this closed network needs.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first call starts the browser, which lives as long as ctx: no timeout on it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// corsPage is a web page, served from another origin than the API, that reads an organisation
// with a bearer token (so the browser sends a CORS preflight first) and shows what it got.
func corsPage(api, token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><body><p id="out"></p><script>
fetch(%q, {headers: {"Authorization": "Bearer " + %q}})
  .then(r => r.json().then(b => r.status + " " + (r.headers.get("ETag") === b.etag ? "etag" : "no-etag") + " " + b.displayName))
  .catch(e => "blocked " + e.name)
  .then(s => { const p = document.getElementById("out"); p.textContent = s; p.className = "done"; });
</script></body></html>`, api+"/v1/organisations/caf-71", token)
	})
}

// TestCORSFromABrowser drives the API from a real Chromium page on another origin: the allowed
// origin reads the organisation, with its ETag; another origin's page is blocked by the browser.
func TestCORSFromABrowser(t *testing.T) {
	ctx := browser(t)
	dataDir := t.TempDir()
	allowedPage := httptest.NewServer(nil)
	otherPage := httptest.NewServer(nil)
	defer allowedPage.Close()
	defer otherPage.Close()
	in, _ := startEmbedded(t, dataDir, func(s *settings) { s.corsOrigins = []string{allowedPage.URL} })
	api := "http://" + in.httpAddr
	token := tokenFor(t, dataDir, "--role", "reader")
	allowedPage.Config.Handler = corsPage(api, token)
	otherPage.Config.Handler = corsPage(api, token)

	for _, c := range []struct {
		page, want string
	}{
		{allowedPage.URL, "200 etag Caf de Saône-et-Loire"},
		{otherPage.URL, "blocked TypeError"},
	} {
		step, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := chromedp.Do(step, chromedp.Navigate(c.page), chromedp.WaitVisible(chromedp.CSS("#out.done")))
		var got string
		if err == nil {
			got, err = chromedp.Run(step, chromedp.Text(chromedp.CSS("#out")))
		}
		cancel()
		if err != nil {
			t.Fatalf("page %s: %v", c.page, err)
		}
		if strings.TrimSpace(got) != c.want {
			t.Errorf("page on %s read the API: %q; want %q", c.page, got, c.want)
		}
	}
}

// TestBrowserSignInWithPKCE signs the demo coordinator in through the built-in provider in a
// real Chromium: the console's authorization request (code + PKCE S256) leads to the French
// login page; the filled form leads to the redirect page with the code, which the console
// exchanges with its verifier; the access token then submits a report for the coordinator's
// network (200), not for another (403).
func TestBrowserSignInWithPKCE(t *testing.T) {
	ctx := browser(t)
	dir := t.TempDir()
	in, _ := startWithSignIn(t, dir)
	const email = "coordination.louhannais@demo.vif.test"
	redirect := identity.SignedInURL(in.issuer)
	verifier, challenge := pkce()

	step, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	err := chromedp.Do(step,
		chromedp.Navigate(authorizeURL(in.issuer, redirect, challenge, "S256")),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), demoPassword(t, dir, email)),
		chromedp.Click(chromedp.CSS("#se-connecter")),
		chromedp.WaitVisible(chromedp.CSS("#connecte")),
	)
	if err != nil {
		t.Fatalf("sign-in in the browser: %v", err)
	}
	at, err := chromedp.Run(step, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	landed, err := url.Parse(at)
	if err != nil {
		t.Fatal(err)
	}
	code := landed.Query().Get("code")
	if !strings.HasPrefix(at, redirect+"?") || code == "" || landed.Query().Get("state") != "etat-42" {
		t.Fatalf("the browser landed on %s; want %s with the code and the state", at, redirect)
	}

	st, tokens := tokenRequest(t, in.issuer, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect},
		"client_id": {identity.ConsoleClientID}, "code_verifier": {verifier},
	}, "", "")
	access, _ := tokens["access_token"].(string)
	if st != 200 || access == "" {
		t.Fatalf("code exchange = %d %v; want an access token", st, tokens)
	}
	api := "http://" + in.httpAddr
	for _, c := range []struct {
		path string
		want int
	}{
		{"/v1/networks/louhannais/reports", 200},
		{"/v1/networks/chalonnais/reports", 403},
	} {
		if resp, raw := do(t, "POST", api+c.path, jsonCall(access, report), report); resp.StatusCode != c.want {
			t.Errorf("POST %s with the token of the browser sign-in = %d %s; want %d", c.path, resp.StatusCode, raw, c.want)
		}
	}
}

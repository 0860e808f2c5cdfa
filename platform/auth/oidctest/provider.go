// Package oidctest runs an independent OpenID provider for tests: the npm package oidc-provider
// (OpenID Certified, pinned in web/package-lock.json), started with node from
// web/tests/oidc-provider.mjs. It issues client-credentials access tokens (JWT) that carry the
// claims the test gives each client, signed with keys the test makes, so that a test can rotate
// them. `make test` installs node and the npm packages first; without them the test fails.
package oidctest

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Client is one client of the provider: its tokens carry Claims, live TTL seconds (default 300),
// are signed with Alg (default RS256) and name Audience (default the provider's).
type Client struct {
	ID       string         `json:"client_id"`
	Secret   string         `json:"client_secret"`
	Claims   map[string]any `json:"claims,omitempty"`
	TTL      int            `json:"ttl,omitempty"`
	Alg      string         `json:"alg,omitempty"`
	Audience string         `json:"audience,omitempty"`
}

// Provider is a running oidc-provider.
type Provider struct {
	Issuer   string
	Audience string
	port     int
	clients  []Client
	dir      string
	cmd      *exec.Cmd
	t        testing.TB
}

// Key is a signing key of the provider.
type Key struct{ jose.JSONWebKey }

// NewRSAKey and NewECKey make signing keys with the given key ids.
func NewRSAKey(t testing.TB, kid string) Key {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return Key{jose.JSONWebKey{Key: k, KeyID: kid, Algorithm: string(jose.RS256), Use: "sig"}}
}

func NewECKey(t testing.TB, kid string) Key {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return Key{jose.JSONWebKey{Key: k, KeyID: kid, Algorithm: string(jose.ES256), Use: "sig"}}
}

// Start runs a provider on a free port with keys and clients, until the test ends.
func Start(t testing.TB, audience string, keys []Key, clients ...Client) *Provider {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := lis.Addr().(*net.TCPAddr).Port
	lis.Close()
	p := &Provider{
		Issuer: "http://127.0.0.1:" + strconv.Itoa(port), Audience: audience,
		port: port, clients: clients, dir: t.TempDir(), t: t,
	}
	p.run(keys)
	t.Cleanup(p.Stop)
	return p
}

// Rotate restarts the provider, on the same address, with other keys: what an operator does
// when a key is rotated (and the old one withdrawn).
func (p *Provider) Rotate(keys []Key) {
	p.t.Helper()
	p.Stop()
	p.run(keys)
}

// Stop stops the provider; it answers nothing until Rotate.
func (p *Provider) Stop() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
	p.cmd = nil
}

// run starts oidc-provider with keys as its signing keys and waits until it says it is ready.
func (p *Provider) run(keys []Key) {
	t := p.t
	t.Helper()
	jwks := p.writeKeySet(keys)
	clients, err := json.Marshal(p.clients)
	if err != nil {
		t.Fatal(err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("no node: install Debian's nodejs and npm, then `make web` (make test does both)")
	}
	script := filepath.Join(webDir(t), "tests", "oidc-provider.mjs")
	cmd := exec.Command(node, script)
	cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(p.port), "JWKS="+jwks, "CLIENTS="+string(clients), "AUDIENCE="+p.Audience)
	logFile := p.createLog()
	defer logFile.Close()
	cmd.Stderr = logFile // its warnings (Node 20, in-memory adapter) are noise unless a test fails
	p.startAndWait(cmd)
}

// writeKeySet writes keys as a JWK set into p's directory and returns the file's path.
func (p *Provider) writeKeySet(keys []Key) string {
	t := p.t
	t.Helper()
	set := struct {
		Keys []jose.JSONWebKey `json:"keys"`
	}{}
	for _, k := range keys {
		set.Keys = append(set.Keys, k.JSONWebKey)
	}
	raw, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	jwks := filepath.Join(p.dir, "jwks.json")
	if err := os.WriteFile(jwks, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return jwks
}

// createLog creates the file of the provider's standard error, which the test logs if it fails.
func (p *Provider) createLog() *os.File {
	t := p.t
	t.Helper()
	logPath := filepath.Join(p.dir, "provider.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			if b, err := os.ReadFile(logPath); err == nil && len(b) > 0 {
				t.Logf("oidc-provider said:\n%s", b)
			}
		}
	})
	return logFile
}

// startAndWait starts cmd as p's provider and waits, 20 s at most, for its "ready" line.
func (p *Provider) startAndWait(cmd *exec.Cmd) {
	t := p.t
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.cmd = cmd
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "ready ") {
				ready <- nil
				_, _ = io.Copy(io.Discard, out)
				return
			}
		}
		ready <- fmt.Errorf("oidc-provider exited before it was ready: %v", sc.Err())
	}()
	select {
	case err := <-ready:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("oidc-provider not ready after 20 s")
	}
}

// Token gets an access token of client id by the client-credentials grant.
func (p *Provider) Token(id string) string {
	p.t.Helper()
	var secret string
	for _, c := range p.clients {
		if c.ID == id {
			secret = c.Secret
		}
	}
	resp, err := http.PostForm(p.Issuer+"/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}, "scope": {"api"},
	})
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.AccessToken == "" {
		p.t.Fatalf("token of client %s: %d %s %s (%v)", id, resp.StatusCode, body.Error, body.Description, err)
	}
	return body.AccessToken
}

// webDir finds the repository's web/ directory, where the npm packages are, from this file.
func webDir(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "web")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider")); err != nil {
		t.Fatalf("no oidc-provider in %s/node_modules: run `make web` (make test does)", dir)
	}
	return dir
}

// Recheck calls verify until it returns an error, at most 50 times 20 ms apart, and returns the
// last error (nil if every call succeeded). It is for checking that a token of a withdrawn key is
// refused: go-oidc stores a key set it fetched just after answering the call that fetched it, so
// on a loaded machine the check right after a rotation may still see the old set for a moment.
func Recheck(verify func() error) error {
	var err error
	for try := 0; try < 50; try++ {
		if err = verify(); err != nil {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
	return err
}

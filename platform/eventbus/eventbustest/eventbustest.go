// Package eventbustest runs a real embedded NATS JetStream server for tests, on a random port
// with its store in the test's temporary directory, and can stop and restart it in place to
// simulate an outage. The server authenticates as the suite's do (eventbus.Keyring): each
// identity of the suite connects with its own credentials (ConnectAs, Creds), anonymous
// connections are refused, and a test-only identity, Admin, may do anything.
package eventbustest

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/vif71/vif/platform/eventbus"
)

// Admin is the test-only identity with every permission, for tests that set the bus up or
// inspect it beside the identities under test (Connect). No server of the suite knows it.
const Admin = "test-admin"

// Server is an embedded NATS server owned by one test. It is shut down when the test ends.
type Server struct {
	t        testing.TB
	StoreDir string
	Port     int
	URL      string
	// Keys are the credentials of the suite's identities, and of Admin.
	Keys *eventbus.Keyring
	// AdminCreds is the seed file of Admin.
	AdminCreds string
	adminKey   string

	mu  sync.Mutex
	srv *server.Server
}

// Start starts a fresh server for t.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, StoreDir: t.TempDir(), Port: -1}
	keys, err := eventbus.LoadOrCreateKeyring(t.TempDir())
	if err != nil {
		t.Fatalf("LoadOrCreateKeyring: %v", err)
	}
	s.Keys = keys
	s.AdminCreds, s.adminKey = adminKey(t)
	s.start()
	s.Port = s.srv.Addr().(*net.TCPAddr).Port
	s.URL = s.srv.ClientURL()
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) start() {
	s.t.Helper()
	srv, err := eventbus.StartEmbedded(eventbus.EmbeddedOptions{
		Port:       s.Port,
		StoreDir:   s.StoreDir,
		ServerName: "test",
		Users:      append(s.Keys.Users(), &server.NkeyUser{Nkey: s.adminKey}),
	})
	if err != nil {
		s.t.Fatalf("StartEmbedded: %v", err)
	}
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
}

// Stop shuts the server down and waits until it is gone; stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		srv.Shutdown()
		srv.WaitForShutdown()
	}
}

// Restart starts a new server on the same port and store directory, so clients reconnect to it
// and find the streams and messages written before Stop.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.start()
}

// Creds is the credentials file of identity, one of eventbus.Identities or Admin.
func (s *Server) Creds(identity string) string {
	if identity == Admin {
		return s.AdminCreds
	}
	return s.Keys.SeedFile(identity)
}

// Connect opens a client connection as Admin through eventbus.Connect, closed when the test ends.
func (s *Server) Connect(t testing.TB) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	return s.ConnectAs(t, Admin)
}

// ConnectAs opens a client connection as identity through eventbus.Connect, closed when the test
// ends.
func (s *Server) ConnectAs(t testing.TB, identity string) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	creds, err := eventbus.CredsOption(s.Creds(identity))
	if err != nil {
		t.Fatal(err)
	}
	nc, err := eventbus.Connect(s.URL, t.Name(), Logger(t), creds)
	if err != nil {
		t.Fatalf("Connect(%q): %v", s.URL, err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatalf("jetstream.New: %v", err)
	}
	return nc, js
}

// JetStream connects to s and ensures the VIF stream exists.
func (s *Server) JetStream(t testing.TB) jetstream.JetStream {
	t.Helper()
	_, js := s.Connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := eventbus.EnsureStream(ctx, js, eventbus.StreamOptions{}); err != nil {
		t.Fatalf("EnsureStream: %v", err)
	}
	return js
}

// Logger returns a logger that writes to t's log until t ends and is silent afterwards, so
// goroutines that outlive the test (connection handlers, a relay shutting down) cannot make it
// panic.
func Logger(t testing.TB) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(func() {
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

// adminKey writes a fresh user seed for Admin and returns its file and public key.
func adminKey(t testing.TB) (string, string) {
	t.Helper()
	kp, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	seed, err := kp.Seed()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := kp.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), Admin+".nk")
	if err := os.WriteFile(path, seed, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, pub
}

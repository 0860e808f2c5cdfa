package e2e

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/grpcserver"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
	fundingv1 "github.com/vif71/vif/proto/gen/go/vif/funding/v1"
	"github.com/vif71/vif/services/directory"
	"github.com/vif71/vif/services/funding"
)

// suite is the directory and the funding service as the embedded default runs them: one gRPC
// server hosting both behind the full interceptor chain, over bufconn; the funding service
// reaching the directory through that same server, as a client; each on its own database; both
// relays publishing to an embedded NATS with the VIF stream; the funding seed in the background.
type suite struct {
	funding   fundingv1.FundingServiceClient
	directory directoryv1.DirectoryServiceClient
	js        jetstream.JetStream
	key       ed25519.PrivateKey
}

func startSuite(t *testing.T, directoryDB, fundingDB *storage.DB) *suite {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := quietLogger(t)

	ns, err := eventbus.StartEmbedded(eventbus.EmbeddedOptions{Port: -1, StoreDir: filepath.Join(t.TempDir(), "nats")})
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eventbus.EnsureStream(ctx, js, eventbus.StreamOptions{}); err != nil {
		t.Fatal(err)
	}

	lis := bufconn.Listen(1 << 20)
	dial := func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }
	// The funding service's own connection to the directory: a client of the server that also
	// hosts it, as in the embedded default.
	toDirectory, err := grpc.NewClient("passthrough:///bufnet", grpc.WithContextDialer(dial),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	relay := outbox.RelayOptions{PollInterval: 50 * time.Millisecond}
	dir, err := directory.New(ctx, directory.Config{DB: directoryDB, JetStream: js, Logger: log, Seed: true, Relay: relay})
	if err != nil {
		t.Fatal(err)
	}
	fund, err := funding.New(ctx, funding.Config{DB: fundingDB, JetStream: js, Directory: toDirectory, Logger: log, Seed: true, Relay: relay})
	if err != nil {
		t.Fatal(err)
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := grpcserver.New(grpcserver.Options{
		Logger:   log,
		Verifier: auth.Verifier{Key: key.Public().(ed25519.PublicKey)},
		Services: []grpcserver.Service{dir.GRPC, fund.GRPC},
	})
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	run := func(f func(context.Context) error) {
		wg.Go(func() {
			if err := f(ctx); err != nil && ctx.Err() == nil {
				t.Errorf("background task: %v", err)
			}
		})
	}
	run(func(ctx context.Context) error { return srv.Serve(ctx, lis, nil) })
	run(dir.Relay.Run)
	for _, bg := range fund.Background() {
		run(bg)
	}

	conn, err := grpc.NewClient("passthrough:///bufnet", grpc.WithContextDialer(dial),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		cancel()
		wg.Wait()
		toDirectory.Close()
		nc.Close()
		ns.Shutdown()
		ns.WaitForShutdown()
	})
	return &suite{
		funding:   fundingv1.NewFundingServiceClient(conn),
		directory: directoryv1.NewDirectoryServiceClient(conn),
		js:        js,
		key:       key,
	}
}

// as returns a context carrying a bearer token for role, scoped to organisation when it is set.
func (s *suite) as(t *testing.T, role auth.Role, organisation string) context.Context {
	t.Helper()
	tok, err := auth.Issuer{Key: s.key}.Issue(auth.Claims{
		Role: role, Organisation: organisation,
		RegisteredClaims: jwt.RegisteredClaims{Subject: "e2e-" + string(role)},
	}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tok)
}

// waitForSeed polls, bounded, until the funding seed has written its three posts and their
// plans: it runs in the background and waits for the directory to answer.
func (s *suite) waitForSeed(t *testing.T) {
	t.Helper()
	ctx := s.as(t, auth.RoleReader, "")
	deadline := time.Now().Add(30 * time.Second)
	for {
		posts, perr := s.funding.ListPosts(ctx, &fundingv1.ListPostsRequest{})
		plans, lerr := s.funding.ListFundingPlans(ctx, &fundingv1.ListFundingPlansRequest{Parent: "posts/-"})
		if perr == nil && lerr == nil && posts.GetTotalSize() == 3 && plans.GetTotalSize() == 3 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("funding seed not visible after 30 s: posts %d (%v), plans %d (%v); want 3 and 3",
				posts.GetTotalSize(), perr, plans.GetTotalSize(), lerr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// wantCode fails t unless err is a status with code and an ErrorInfo reason, and, when field is
// set, a google.rpc.BadRequest violation on that field.
func wantCode(t *testing.T, what string, err error, code codes.Code, field string) {
	t.Helper()
	st, _ := status.FromError(err)
	if st.Code() != code {
		t.Errorf("%s: code = %v (%v); want %v", what, st.Code(), err, code)
		return
	}
	var reason string
	var fields []string
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			reason = d.GetReason()
		case *errdetails.BadRequest:
			for _, v := range d.GetFieldViolations() {
				fields = append(fields, v.GetField())
			}
		}
	}
	if code != codes.OK && reason == "" {
		t.Errorf("%s: no ErrorInfo reason in %v", what, err)
	}
	if field != "" && !slices.Contains(fields, field) {
		t.Errorf("%s: violated fields = %v; want %q among them (%v)", what, fields, field, err)
	}
}

// quietLogger passes warnings and errors to t's log while t runs (a failing seed says why) and
// drops the rest; it is silent once t has ended, when goroutines may still be stopping.
func quietLogger(t *testing.T) *slog.Logger {
	w := &testLog{t: t}
	t.Cleanup(w.close)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testLog struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *testLog) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testLog) close() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}

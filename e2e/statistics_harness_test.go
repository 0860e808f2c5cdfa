package e2e

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/test/bufconn"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/grpcserver"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
	statisticsv1 "github.com/vif71/vif/proto/gen/go/vif/statistics/v1"
	"github.com/vif71/vif/services/directory"
	"github.com/vif71/vif/services/statistics"
)

// statsSuite is the directory and the statistics service as the embedded default runs them: one
// gRPC server hosting both behind the full interceptor chain, over bufconn; the statistics
// service reaching the directory through that same server; each on its own database; both relays
// publishing to an embedded NATS with the VIF stream; the statistics seed in the background.
type statsSuite struct {
	stats statisticsv1.StatisticsServiceClient
	js    jetstream.JetStream
	relay *outbox.Relay
	key   ed25519.PrivateKey
}

func startStatsSuite(t *testing.T, directoryDB, statsDB *storage.DB) *statsSuite {
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
	stats, err := statistics.New(ctx, statistics.Config{DB: statsDB, JetStream: js, Directory: toDirectory, Logger: log, Seed: true, Relay: relay})
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
		Services: []grpcserver.Service{dir.GRPC, stats.GRPC},
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
	for _, bg := range stats.Background() {
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
	return &statsSuite{stats: statisticsv1.NewStatisticsServiceClient(conn), js: js, relay: stats.Relay, key: key}
}

// as returns a context carrying a bearer token with claims (a subject is added).
func (s *statsSuite) as(t *testing.T, c auth.Claims) context.Context {
	t.Helper()
	c.RegisteredClaims = jwt.RegisteredClaims{Subject: "e2e-" + string(c.Role) + "-" + c.Network}
	tok, err := auth.Issuer{Key: s.key}.Issue(c, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tok)
}

// waitForSeed polls, bounded, until the seed's last year is visible: it runs in the background
// and waits for the directory.
func (s *statsSuite) waitForSeed(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		n, err := s.stats.ListNationalFigures(context.Background(), &statisticsv1.ListNationalFiguresRequest{})
		if err == nil && n.GetTotalSize() == 2 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("statistics seed not done after 60 s: %d national figures (%v)", n.GetTotalSize(), err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitPublished polls, bounded, until the statistics outbox holds no unsent event.
func (s *statsSuite) waitPublished(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := s.relay.Pending(context.Background())
		if err == nil && n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("statistics outbox still holds %d unsent events after 30 s (%v)", n, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// lastEvent returns the last message the stream holds on subject, or nil.
func (s *statsSuite) lastEvent(t *testing.T, subject string) *jetstream.RawStreamMsg {
	t.Helper()
	s.waitPublished(t)
	stream, err := s.js.Stream(context.Background(), eventbus.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := stream.GetLastMsgForSubject(context.Background(), subject)
	if err != nil {
		return nil
	}
	return msg
}

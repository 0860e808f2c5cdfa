package directory_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/test/bufconn"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/eventbus/eventbustest"
	"github.com/vif71/vif/platform/grpcserver"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
	"github.com/vif71/vif/services/directory"
)

// env is a directory running as in production, in-process: real SQLite (or PostgreSQL), the
// full interceptor chain over bufconn, an embedded NATS server with the VIF stream, the relay.
type env struct {
	client directoryv1.DirectoryServiceClient
	conn   *grpc.ClientConn
	js     jetstream.JetStream
	key    ed25519.PrivateKey
}

func start(t *testing.T, db *storage.DB) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.DiscardHandler)

	// The service publishes as itself; the test reads with the subscribers' read-only identity.
	bus := eventbustest.Start(t)
	_, js := bus.ConnectAs(t, "directory")
	_, readerJS := bus.ConnectAs(t, eventbus.Reader)
	if _, err := eventbus.EnsureStream(ctx, js, eventbus.StreamOptions{}); err != nil {
		t.Fatal(err)
	}
	svc, err := directory.New(ctx, directory.Config{
		DB: db, JetStream: js, Logger: log, Seed: true,
		Relay: outbox.RelayOptions{PollInterval: 50 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	srv, err := grpcserver.New(grpcserver.Options{
		Logger:   log,
		Verifier: auth.Verifier{Key: key.Public().(ed25519.PublicKey)},
		Services: []grpcserver.Service{svc.GRPC},
	})
	if err != nil {
		t.Fatal(err)
	}
	lis := bufconn.Listen(1 << 20)
	done := make(chan struct{}, 2)
	go func() { _ = srv.Serve(ctx, lis, nil); done <- struct{}{} }()
	go func() { _ = svc.Relay.Run(ctx); done <- struct{}{} }()
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		cancel()
		<-done
		<-done
	})
	return &env{client: directoryv1.NewDirectoryServiceClient(conn), conn: conn, js: readerJS, key: key}
}

// as returns a context carrying a bearer token for role (scoped to network for coordinators).
func (e *env) as(t *testing.T, role auth.Role, network string) context.Context {
	t.Helper()
	tok, err := auth.Issuer{Key: e.key}.Issue(auth.Claims{
		Role: role, Network: network, RegisteredClaims: jwt.RegisteredClaims{Subject: "test-" + string(role)},
	}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tok)
}

package directory_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/eventbus/eventbustest"
	"github.com/vif71/vif/platform/grpcserver"
	"github.com/vif71/vif/platform/grpcserver/grpctest"
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
	srv    *grpctest.Server
}

func start(t *testing.T, db *storage.DB) *env {
	t.Helper()
	ctx := context.Background()

	// The service publishes as itself; the test reads with the subscribers' read-only identity.
	bus := eventbustest.Start(t)
	_, js := bus.ConnectAs(t, "directory")
	_, readerJS := bus.ConnectAs(t, eventbus.Reader)
	if _, err := eventbus.EnsureStream(ctx, js, eventbus.StreamOptions{}); err != nil {
		t.Fatal(err)
	}
	svc, err := directory.New(ctx, directory.Config{
		DB: db, JetStream: js, Logger: slog.New(slog.DiscardHandler), Seed: true,
		Relay: outbox.RelayOptions{PollInterval: 50 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The full interceptor chain over bufconn, and the relay beside it.
	srv := grpctest.Start(t, []grpcserver.Service{svc.GRPC}, svc.Background...)
	return &env{client: directoryv1.NewDirectoryServiceClient(srv.Conn), conn: srv.Conn, js: readerJS, srv: srv}
}

// as returns a context carrying a bearer token for role (scoped to network for coordinators).
func (e *env) as(t *testing.T, role auth.Role, network string) context.Context {
	t.Helper()
	return e.srv.As(t, auth.Claims{Role: role, Network: network})
}

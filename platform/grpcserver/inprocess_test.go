package grpcserver

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"testing"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/grpcclient"
	"github.com/vif71/vif/platform/requestid"
)

// TestInProcessHeadersReachTheCaller: what a server interceptor sets with grpc.SetHeader (the
// request id interceptor answers the call's id) reaches the caller's grpc.Header on the
// in-process channel, as grpc-gateway reads it; grpcclient.InProcess passes the context's request
// id on as metadata, as a network connection from grpcclient.New does.
func TestInProcessHeadersReachTheCaller(t *testing.T) {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	srv, err := New(Options{Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), Verifier: auth.Verifier{Key: pub}})
	if err != nil {
		t.Fatal(err)
	}
	srv.setServing(healthpb.HealthCheckResponse_SERVING)
	conn := grpcclient.InProcess(srv.InProcess())
	ctx := requestid.NewContext(context.Background(), "req-in-process")
	var header metadata.MD
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{}, grpc.Header(&header))
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("Check in process = %v, %v; want SERVING", resp, err)
	}
	if got := header.Get(requestid.MetadataKey); len(got) != 1 || got[0] != "req-in-process" {
		t.Errorf("response header %s = %q; want the call's id, set by the server's interceptor", requestid.MetadataKey, got)
	}
	// The server's chain ran on the call: its log line carries the id.
	rpc := logs.lines(t, "rpc")
	if len(rpc) != 1 || rpc[0]["request_id"] != "req-in-process" || rpc[0]["method"] != "/grpc.health.v1.Health/Check" {
		t.Errorf("rpc log lines = %v; want one for Health/Check with request_id req-in-process", rpc)
	}
}

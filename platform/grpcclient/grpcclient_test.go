package grpcclient_test

import (
	"context"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/vif71/vif/platform/grpcclient"
)

func serveHealth(t *testing.T, addr string) (*grpc.Server, string) {
	t.Helper()
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	healthpb.RegisterHealthServer(s, health.NewServer())
	go s.Serve(lis)
	t.Cleanup(s.Stop)
	return s, lis.Addr().String()
}

// TestRestartedBackendIsReachedWithinASecond: after a backend has been down long enough for
// grpc-go's default backoff to grow past several seconds, a connection from New reaches it again
// within about MaxReconnectDelay of its return.
func TestRestartedBackendIsReachedWithinASecond(t *testing.T) {
	first, target := serveHealth(t, "127.0.0.1:0")
	conn, err := grpcclient.New(target)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)
	check := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := client.Check(ctx, &healthpb.HealthCheckRequest{})
		return err
	}
	if err := check(); err != nil {
		t.Fatalf("Check before the outage: %v", err)
	}
	first.Stop()

	// Six seconds down, with calls failing meanwhile, as a gateway's would.
	for end := time.Now().Add(6 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		_ = check()
	}
	serveHealth(t, target)
	back := time.Now()
	for check() != nil {
		if time.Since(back) > 5*time.Second {
			t.Fatal("backend not reached 5 s after its restart")
		}
		time.Sleep(20 * time.Millisecond)
	}
	took := time.Since(back)
	t.Logf("restarted backend reached after %v", took.Round(time.Millisecond))
	if limit := grpcclient.MaxReconnectDelay + 500*time.Millisecond; took > limit {
		t.Errorf("restarted backend reached after %v; want at most %v", took, limit)
	}
}

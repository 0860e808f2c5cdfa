package daemon

import (
	"context"
	"fmt"
	"net"
	"time"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/vif71/vif/platform/grpcclient"
)

// HealthCheck asks the server listening on listenAddr (":9090" is this machine) for its overall
// grpc.health.v1 status and fails unless it is SERVING. It is what `<service> --health-check`
// runs: a container health check for an image with no shell and no probe binary (compose; on
// Kubernetes the kubelet's own gRPC probe does it).
func HealthCheck(ctx context.Context, listenAddr string) error {
	host, port, err := net.SplitHostPort(listenAddr)
	if err != nil {
		return fmt.Errorf("health check: address %q: %w", listenAddr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	conn, err := grpcclient.New(net.JoinHostPort(host, port))
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		return fmt.Errorf("health check: %s", resp.GetStatus())
	}
	return nil
}

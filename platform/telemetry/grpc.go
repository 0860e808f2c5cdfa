package telemetry

import (
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc/filters"
	"google.golang.org/grpc"
)

// grpcFilter leaves the health checks out: load balancers and probes call them every few
// seconds, and a trace each would bury the calls that matter.
func grpcFilter() otelgrpc.Filter { return filters.Not(filters.HealthCheck()) }

// ServerOptions are the gRPC server options that trace each call (otelgrpc's stats handler: a
// server span per call, continuing the caller's trace from its traceparent metadata), or none
// when tracing is off.
func ServerOptions() []grpc.ServerOption {
	if !Enabled() {
		return nil
	}
	return []grpc.ServerOption{grpc.StatsHandler(otelgrpc.NewServerHandler(otelgrpc.WithFilter(grpcFilter())))}
}

// DialOptions are the client connection options that trace each call (a client span, its
// context sent as traceparent metadata), or none when tracing is off.
func DialOptions() []grpc.DialOption {
	if !Enabled() {
		return nil
	}
	return []grpc.DialOption{grpc.WithStatsHandler(otelgrpc.NewClientHandler(otelgrpc.WithFilter(grpcFilter())))}
}

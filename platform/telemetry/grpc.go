package telemetry

import (
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc/filters"
	"google.golang.org/grpc"
	"google.golang.org/grpc/stats"
)

// grpcFilter leaves the health checks out: load balancers and probes call them every few
// seconds, and a trace each would bury the calls that matter.
func grpcFilter() otelgrpc.Filter { return filters.Not(filters.HealthCheck()) }

// ServerOptions are the gRPC server options that trace each call (otelgrpc's stats handler: a
// server span per call, continuing the caller's trace from its traceparent metadata), or none
// when tracing is off.
func ServerOptions() []grpc.ServerOption {
	if h := ServerHandler(); h != nil {
		return []grpc.ServerOption{grpc.StatsHandler(h)}
	}
	return nil
}

// ServerHandler is the stats handler behind ServerOptions, for a transport that takes one
// directly (the in-process channel of grpcserver.Server.InProcess), or nil when tracing is off.
func ServerHandler() stats.Handler {
	if !Enabled() {
		return nil
	}
	return otelgrpc.NewServerHandler(otelgrpc.WithFilter(grpcFilter()))
}

// ClientHandler is the stats handler behind DialOptions, or nil when tracing is off.
func ClientHandler() stats.Handler {
	if !Enabled() {
		return nil
	}
	return otelgrpc.NewClientHandler(otelgrpc.WithFilter(grpcFilter()))
}

// DialOptions are the client connection options that trace each call (a client span, its
// context sent as traceparent metadata), or none when tracing is off.
func DialOptions() []grpc.DialOption {
	if h := ClientHandler(); h != nil {
		return []grpc.DialOption{grpc.WithStatsHandler(h)}
	}
	return nil
}

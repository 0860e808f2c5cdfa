package grpcserver

import (
	"github.com/fullstorydev/grpchan"
	"github.com/fullstorydev/grpchan/inprocgrpc"
	"google.golang.org/grpc"

	"github.com/vif71/vif/platform/telemetry"
)

// The in-process channel is a client connection to the services of this server that calls
// them as functions: no listener, no HTTP/2 framing, no protobuf encoding (grpchan's inprocgrpc;
// messages are copied with proto.Merge, so caller and handler never share one). A call on it runs
// what a call over the network runs on this server:
//
//   - the same interceptor chain, in the same order (request id, recovery, metrics, the log
//     line, authentication and scopes, validation, error mapping, idempotency);
//   - the caller's outgoing metadata as the handler's incoming metadata (authorization,
//     x-request-id, x-forwarded-for, grpcgateway-*), and none of the caller's context values;
//   - the caller's deadline and cancellation: the handler runs in a goroutine other than the
//     caller's (one of the server's workers, see workers), with a context that ends when the
//     caller's does;
//   - grpc.SetHeader, SendHeader and SetTrailer, which reach the caller's grpc.Header and
//     grpc.Trailer call options;
//   - with tracing on, otelgrpc's client and server stats handlers: a client span, its context
//     passed as traceparent metadata, and a server span continuing it, as over the network.
//
// What differs: the handler's peer is inprocgrpc's ("inproc", address "0") rather than a TCP
// address, and its incoming metadata has none of the transport's own keys (:authority,
// content-type, user-agent, grpc-accept-encoding); nothing in vif reads them. The calls are not
// counted by the gRPC server's graceful stop: whoever calls through the channel drains its own
// calls (the gateway's HTTP server does) before the databases close.
func newInProcess() *inprocgrpc.Channel {
	ch := &inprocgrpc.Channel{}
	if h := telemetry.ServerHandler(); h != nil {
		ch.WithServerStatsHandler(h)
	}
	if h := telemetry.ClientHandler(); h != nil {
		ch.WithClientStatsHandler(h)
	}
	return ch
}

// on returns a view of reg that wraps every service registered through it with the chains.
func (c interceptors) on(reg grpc.ServiceRegistrar) grpc.ServiceRegistrar {
	return grpchan.WithStreamInterceptors(grpchan.WithUnaryInterceptors(reg, c.unary...), c.stream...)
}

// onWorkers is on, with the unary calls run on the workers' goroutines (see workers).
func (c interceptors) onWorkers(reg grpc.ServiceRegistrar, w *workers) grpc.ServiceRegistrar {
	return interceptors{unary: append([]grpc.UnaryServerInterceptor{w.unary}, c.unary...), stream: c.stream}.on(reg)
}

// InProcess returns a client connection to this server's services (health included) that
// calls them in this process, without a transport, through the same interceptor chain (see
// newInProcess for what it keeps and what differs). The all-in-one's gateway uses it; callers
// that want grpcclient's client interceptors wrap it with grpcclient.InProcess.
func (s *Server) InProcess() grpc.ClientConnInterface { return s.inProcess }

package grpcserver

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/fullstorydev/grpchan"
	"github.com/fullstorydev/grpchan/inprocgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/vif71/vif/platform/telemetry"
)

// inProcess is a client connection to the services of this server that calls them as
// functions: no listener, no HTTP/2 framing, no protobuf encoding; messages are copied with
// proto.Merge, so caller and handler never share one. A call on it runs what a call over the
// network runs on this server:
//
//   - the same interceptor chain, in the same order (request id, recovery, metrics, the log
//     line, authentication and scopes, validation, error mapping, idempotency);
//   - the caller's outgoing metadata as the handler's incoming metadata (authorization,
//     x-request-id, x-forwarded-for, grpcgateway-*), and none of the caller's context values;
//   - the caller's deadline and cancellation: the handler runs on one of the server's workers
//     (see workers), with a context that ends when the caller's does, and the caller returns at
//     its deadline even when the handler does not;
//   - grpc.SetHeader, SendHeader and SetTrailer, which reach the caller's grpc.Header and
//     grpc.Trailer call options;
//   - with tracing on, otelgrpc's client and server stats handlers: a client span, its context
//     passed as traceparent metadata, and a server span continuing it, as over the network.
//
// A unary call is handed straight to a worker, one hand-off: inprocgrpc, which the channel used
// before, ran each call in a goroutine of its own that then waited for a worker (two hand-offs,
// a fifth of a REST call's CPU). Streams, which vif's services do not offer but the health
// service does (Watch), still go through inprocgrpc (grpchan's).
//
// What differs: the handler's peer is "inproc", address "0", rather than a TCP address, and its
// incoming metadata has none of the transport's own keys (:authority, content-type, user-agent,
// grpc-accept-encoding); nothing in vif reads them. Its rpc log line is at debug level when it
// succeeds (see logInterceptor). The calls are not counted by the gRPC
// server's graceful stop: whoever calls through the channel drains its own calls (the gateway's
// HTTP server does) before the databases close.
type inProcess struct {
	methods                  map[string]unaryMethod // by full name, "/vif.directory.v1.DirectoryService/GetNetwork"
	streams                  *inprocgrpc.Channel
	workers                  *workers
	clientStats, serverStats stats.Handler // nil when tracing is off
}

type unaryMethod struct {
	impl    any
	handler grpc.MethodHandler
}

func newInProcess(w *workers) *inProcess {
	c := &inProcess{methods: map[string]unaryMethod{}, streams: &inprocgrpc.Channel{}, workers: w,
		clientStats: telemetry.ClientHandler(), serverStats: telemetry.ServerHandler()}
	if c.serverStats != nil {
		c.streams.WithServerStatsHandler(c.serverStats)
	}
	if c.clientStats != nil {
		c.streams.WithClientStatsHandler(c.clientStats)
	}
	return c
}

// RegisterService takes the service's unary methods and gives the service to the stream channel.
func (c *inProcess) RegisterService(desc *grpc.ServiceDesc, impl any) {
	for _, m := range desc.Methods {
		c.methods["/"+desc.ServiceName+"/"+m.MethodName] = unaryMethod{impl: impl, handler: m.Handler}
	}
	c.streams.RegisterService(desc, impl)
}

// Invoke runs a unary method on a worker and waits for it, or for the end of ctx.
func (c *inProcess) Invoke(ctx context.Context, method string, req, reply any, opts ...grpc.CallOption) (err error) {
	if !strings.HasPrefix(method, "/") {
		method = "/" + method
	}
	m, ok := c.methods[method]
	in, okIn := req.(proto.Message)
	out, okOut := reply.(proto.Message)
	switch {
	case !ok:
		return status.Errorf(codes.Unimplemented, "method %s not implemented", method)
	case !okIn || !okOut:
		return status.Errorf(codes.Internal, "in-process call %s: the messages are not protobuf", method)
	}
	if h := c.clientStats; h != nil {
		ctx = h.TagRPC(ctx, &stats.RPCTagInfo{FullMethodName: method})
		h.HandleRPC(ctx, &stats.Begin{Client: true, BeginTime: time.Now()})
		defer func() { h.HandleRPC(ctx, &stats.End{Client: true, EndTime: time.Now(), Error: err}) }()
	}
	sts := &transportStream{method: method}
	var resp any
	var callErr error // the worker's: once ctx ends, the caller no longer reads it
	done := make(chan struct{})
	c.workers.run(func() {
		defer close(done)
		resp, callErr = c.serve(serverContext(ctx, sts), m, in)
	})
	select {
	case <-done:
	case <-ctx.Done():
		return status.FromContextError(ctx.Err()).Err()
	}
	sts.deliver(opts)
	return answer(method, resp, callErr, out)
}

// answer is what the caller of method gets: the handler's error as a status, as the gRPC server
// makes it (a context's error is Canceled or DeadlineExceeded, any other Unknown), or a copy of
// its response in out.
func answer(method string, resp any, err error, out proto.Message) error {
	if err != nil {
		if _, ok := status.FromError(err); ok {
			return status.Convert(err).Err()
		}
		return status.FromContextError(err).Err()
	}
	r, ok := resp.(proto.Message)
	if !ok || r == nil || !sameType(r, out) {
		return status.Errorf(codes.Internal, "in-process call %s: the handler returned no response of the method's type", method)
	}
	proto.Reset(out)
	proto.Merge(out, r)
	return nil
}

// sameType reports whether a and b are the same message type, which proto.Merge needs.
func sameType(a, b proto.Message) bool {
	return a.ProtoReflect().Descriptor().FullName() == b.ProtoReflect().Descriptor().FullName()
}

// serve runs m, with the server's stats handler around it when tracing is on.
func (c *inProcess) serve(ctx context.Context, m unaryMethod, req proto.Message) (resp any, err error) {
	if h := c.serverStats; h != nil {
		ctx = h.TagRPC(ctx, &stats.RPCTagInfo{FullMethodName: grpc.ServerTransportStreamFromContext(ctx).Method()})
		h.HandleRPC(ctx, &stats.Begin{BeginTime: time.Now()})
		defer func() { h.HandleRPC(ctx, &stats.End{EndTime: time.Now(), Error: err}) }()
	}
	return m.handler(m.impl, ctx, func(v any) error {
		msg, ok := v.(proto.Message)
		if !ok || !sameType(msg, req) {
			return status.Errorf(codes.Internal, "in-process call: the request is not of the method's type")
		}
		proto.Merge(msg, req)
		return nil
	}, nil)
}

// NewStream opens a stream through inprocgrpc.
func (c *inProcess) NewStream(ctx context.Context, desc *grpc.StreamDesc, method string, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	return c.streams.NewStream(ctx, desc, method, opts...)
}

var inProcessPeer = peer.Peer{Addr: inProcessAddr{}}

// inProcessCall reports whether the handler's ctx is that of a call through Server.InProcess.
func inProcessCall(ctx context.Context) bool {
	p, ok := peer.FromContext(ctx)
	return ok && p == &inProcessPeer
}

type inProcessAddr struct{}

func (inProcessAddr) Network() string { return "inproc" }
func (inProcessAddr) String() string  { return "0" }

// serverContext is the handler's context: the caller's deadline and cancellation but none of
// its values, its outgoing metadata as incoming, the in-process peer, and sts.
func serverContext(ctx context.Context, sts *transportStream) context.Context {
	sctx := context.Context(noValues{ctx})
	if md, ok := metadata.FromOutgoingContext(ctx); ok {
		sctx = metadata.NewIncomingContext(sctx, md)
	}
	return grpc.NewContextWithServerTransportStream(peer.NewContext(sctx, &inProcessPeer), sts)
}

// noValues is a context's deadline and cancellation without its values.
type noValues struct{ context.Context }

func (noValues) Value(any) any { return nil }

// transportStream keeps what the handler sets with grpc.SetHeader, SendHeader and SetTrailer.
type transportStream struct {
	method          string
	mu              sync.Mutex
	header, trailer metadata.MD
	sent            bool
}

func (s *transportStream) Method() string { return s.method }

func (s *transportStream) SetHeader(md metadata.MD) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sent {
		return status.Error(codes.Internal, "grpc: the headers were already sent")
	}
	s.header = metadata.Join(s.header, md)
	return nil
}

func (s *transportStream) SendHeader(md metadata.MD) error {
	if err := s.SetHeader(md); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = true
	return nil
}

func (s *transportStream) SetTrailer(md metadata.MD) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trailer = metadata.Join(s.trailer, md)
	return nil
}

// deliver gives the header, the trailer and the peer to the call options that asked for them.
func (s *transportStream) deliver(opts []grpc.CallOption) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range opts {
		switch o := o.(type) {
		case grpc.HeaderCallOption:
			*o.HeaderAddr = s.header
		case grpc.TrailerCallOption:
			*o.TrailerAddr = s.trailer
		case grpc.PeerCallOption:
			*o.PeerAddr = inProcessPeer
		}
	}
}

// on returns a view of reg that wraps every service registered through it with the chains.
func (c interceptors) on(reg grpc.ServiceRegistrar) grpc.ServiceRegistrar {
	return grpchan.WithStreamInterceptors(grpchan.WithUnaryInterceptors(reg, c.unary...), c.stream...)
}

// InProcess returns a client connection to this server's services (health included) that
// calls them in this process, without a transport, through the same interceptor chain (see
// inProcess for what it keeps and what differs). The all-in-one's gateway uses it; callers
// that want grpcclient's client interceptors wrap it with grpcclient.InProcess.
func (s *Server) InProcess() grpc.ClientConnInterface { return s.inProcess }

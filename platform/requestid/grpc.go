package requestid

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// fromIncoming returns the caller's id when it sent exactly one valid id, else a fresh one.
func fromIncoming(ctx context.Context) string {
	// The one key, not FromIncomingContext: that copies every key and value of the call's metadata.
	if v := metadata.ValueFromIncomingContext(ctx, MetadataKey); len(v) == 1 {
		return OrNew(v[0])
	}
	return New()
}

// serverContext puts the call's id on ctx and sends it back in the response header, so that a
// pure gRPC caller that sent none learns the id its log lines carry.
func serverContext(ctx context.Context) context.Context {
	id := fromIncoming(ctx)
	_ = grpc.SetHeader(ctx, metadata.Pairs(MetadataKey, id)) // fails only once headers are sent
	return NewContext(ctx, id)
}

// UnaryServerInterceptor carries the call's request id on its context; install it first in
// the chain, so that every later log line of the call has it.
func UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		return handler(serverContext(ctx), req)
	}
}

// StreamServerInterceptor is UnaryServerInterceptor for streaming methods.
func StreamServerInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		return handler(srv, &stream{ServerStream: ss, ctx: serverContext(ss.Context())})
	}
}

type stream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *stream) Context() context.Context { return s.ctx }

// outgoing adds the context's id to the outgoing metadata, unless the caller set one.
func outgoing(ctx context.Context) context.Context {
	id := FromContext(ctx)
	if id == "" {
		return ctx
	}
	// The one key, not FromOutgoingContext: that copies every key and value of the metadata.
	if len(metadata.ValueFromOutgoingContext(ctx, MetadataKey)) > 0 {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, MetadataKey, id)
}

// UnaryClientInterceptor passes the request id of the context on to the service called, so
// that a call a service makes to another while serving one (funding asking the directory)
// logs under the same id.
func UnaryClientInterceptor() grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		return invoker(outgoing(ctx), method, req, reply, cc, opts...)
	}
}

// StreamClientInterceptor is UnaryClientInterceptor for streaming calls.
func StreamClientInterceptor() grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		return streamer(outgoing(ctx), desc, cc, method, opts...)
	}
}

// DialOptions install both client interceptors.
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithChainUnaryInterceptor(UnaryClientInterceptor()),
		grpc.WithChainStreamInterceptor(StreamClientInterceptor()),
	}
}

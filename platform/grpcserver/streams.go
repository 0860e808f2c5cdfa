package grpcserver

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	"github.com/vif71/vif/platform/apierr"
)

// ReasonShuttingDown is the ErrorInfo reason of a stream the server ended because it is stopping:
// the client reconnects (to another instance, or to this one once it is back).
const ReasonShuttingDown = "SHUTTING_DOWN"

// endStreamsInterceptor gives every stream a context that also ends when stopping does, and then
// ends the stream with Unavailable rather than the handler's own "stream ended" error.
func endStreamsInterceptor(stopping context.Context) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, cancel := context.WithCancel(ss.Context())
		defer cancel()
		defer context.AfterFunc(stopping, cancel)()
		err := handler(srv, &streamWithContext{ServerStream: ss, ctx: ctx})
		if stopping.Err() != nil && ss.Context().Err() == nil {
			return apierr.New(codes.Unavailable, ReasonShuttingDown, "the server is shutting down; reconnect")
		}
		return err
	}
}

type streamWithContext struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *streamWithContext) Context() context.Context { return s.ctx }

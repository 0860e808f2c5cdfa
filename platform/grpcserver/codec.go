package grpcserver

import (
	"context"
	"fmt"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	protov2 "google.golang.org/protobuf/proto"

	"github.com/vif71/vif/platform/apierr"
)

// ReasonMalformedRequest is the ErrorInfo reason of a request whose bytes are not the protobuf
// message the method takes (bad wire format, or a string that is not UTF-8).
const ReasonMalformedRequest = "MALFORMED_REQUEST"

// lenientCodec is grpc-go's proto codec, but a request that fails to decode is not an error of
// the codec. grpc-go turns any codec error into Internal ("failed to unmarshal the received
// message"), before any interceptor runs, so the caller reads a server fault and no log line nor
// audit line says who sent it. Here the message is left empty and marked; malformedInterceptor,
// in the chain after authentication, answers InvalidArgument.
type lenientCodec struct {
	encoding.CodecV2
	malformed *sync.Map // proto.Message -> error
}

func newLenientCodec() lenientCodec {
	return lenientCodec{CodecV2: encoding.GetCodecV2(proto.Name), malformed: &sync.Map{}}
}

func (c lenientCodec) Unmarshal(data mem.BufferSlice, v any) error {
	err := c.CodecV2.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	m, ok := v.(protov2.Message)
	if !ok {
		return err
	}
	protov2.Reset(m)
	c.malformed.Store(v, err)
	return nil
}

// take reports whether msg failed to decode, and forgets it.
func (c lenientCodec) take(msg any) bool {
	if msg == nil {
		return false
	}
	_, bad := c.malformed.LoadAndDelete(msg)
	return bad
}

func malformedError(msg any) error {
	what := "protobuf message"
	if m, ok := msg.(protov2.Message); ok {
		what = string(m.ProtoReflect().Descriptor().FullName()) + " message"
	}
	return apierr.New(codes.InvalidArgument, ReasonMalformedRequest,
		fmt.Sprintf("the request is not a valid %s (bad wire format or a string that is not UTF-8)", what))
}

// malformedInterceptor refuses a request the codec could not decode. grpc-go decodes a unary
// request before the interceptors run, so every marked message reaches this check.
func (c lenientCodec) unaryInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if c.take(req) {
			return nil, malformedError(req)
		}
		return handler(ctx, req)
	}
}

// streamInterceptor does the same for every message a streaming handler receives.
func (c lenientCodec) streamInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		return handler(srv, &checkedStream{ServerStream: ss, codec: c})
	}
}

type checkedStream struct {
	grpc.ServerStream
	codec lenientCodec
}

func (s *checkedStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	if s.codec.take(m) {
		return malformedError(m)
	}
	return nil
}

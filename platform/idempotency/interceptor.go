package idempotency

import (
	"context"
	"errors"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/vif71/vif/platform/apierr"
	"github.com/vif71/vif/platform/auth"
)

// UnaryServerInterceptor computes the key of every request that carries a non-empty request_id
// and puts it in the context for the store's Claim: the caller from the verified claims (so it
// runs after authentication), the full method, the request's parent field (or, for a method on
// an existing resource, its name field) and the request's fingerprint. It also turns an error
// wrapping ErrRequestIDReused into InvalidArgument with reason REQUEST_ID_REUSED and a
// BadRequest violation on request_id; install it after apierr's interceptor (nearer the
// handler), whose mapping passes status errors through.
func UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		msg, ok := req.(proto.Message)
		if !ok {
			return handler(ctx, req)
		}
		requestID := stringField(msg, "request_id")
		if requestID == "" {
			return handler(ctx, req)
		}
		fingerprint, err := Fingerprint(msg)
		if err != nil {
			return nil, err // apierr logs it and answers Internal
		}
		parent := stringField(msg, "parent")
		if parent == "" {
			parent = stringField(msg, "name")
		}
		claims, _ := auth.FromContext(ctx)
		ctx = NewContext(ctx, Key{
			Caller:      CallerOf(claims),
			Method:      info.FullMethod,
			Parent:      parent,
			RequestID:   requestID,
			Fingerprint: fingerprint,
		})
		resp, err := handler(ctx, req)
		if errors.Is(err, ErrRequestIDReused) {
			return nil, reusedError(requestID)
		}
		return resp, err
	}
}

// stringField returns the value of m's string field name, or "" when m has none.
func stringField(m proto.Message, name protoreflect.Name) string {
	r := m.ProtoReflect()
	fd := r.Descriptor().Fields().ByName(name)
	if fd == nil || fd.Kind() != protoreflect.StringKind || fd.IsList() || fd.IsMap() {
		return ""
	}
	return r.Get(fd).String()
}

func reusedError(requestID string) error {
	st := status.New(codes.InvalidArgument,
		"request_id "+requestID+" was already used with another request: send a new request_id for a new request")
	withDetails, err := st.WithDetails(
		&errdetails.ErrorInfo{Reason: ReasonRequestIDReused, Domain: apierr.Domain, Metadata: map[string]string{"request_id": requestID}},
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{
			Field:       "request_id",
			Description: "already used with another request by this caller for this method and parent",
		}}},
	)
	if err == nil {
		st = withDetails
	}
	return st.Err()
}

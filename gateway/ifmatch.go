package gateway

import (
	"context"
	"net/http"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// ReasonEtagMismatch is the services' reason for a stale etag; with If-Match it is HTTP 412.
const ReasonEtagMismatch = "ETAG_MISMATCH"

// ifMatch takes the If-Match header of a PATCH or DELETE, the HTTP way of saying "only if it is
// still as I read it", into the request's requestInfo, where etagInterceptor gives it to the
// service as the request's etag. "*" (any current version) asks nothing more than the method
// already does, and is dropped.
func ifMatch(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := strings.TrimSpace(r.Header.Get("If-Match"))
		if v != "" && v != "*" && (r.Method == http.MethodPatch || r.Method == http.MethodDelete) {
			if info := infoFrom(r.Context()); info != nil {
				info.ifMatch = v
			}
		}
		next.ServeHTTP(w, r)
	})
}

func ifMatchFrom(ctx context.Context) string {
	if info := infoFrom(ctx); info != nil {
		return info.ifMatch
	}
	return ""
}

// etagInterceptor sets the etag of the request a PATCH or DELETE becomes from its If-Match: the
// request's own etag field, or that of the resource it carries (an Update). An If-Match that
// disagrees with an etag the body also gives, or a weak one (W/…, which If-Match never matches,
// RFC 9110 13.1.1), is a mismatch without asking the service.
func etagInterceptor(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	want := ifMatchFrom(ctx)
	msg, ok := req.(proto.Message)
	if want == "" || !ok {
		return invoker(ctx, method, req, reply, cc, opts...)
	}
	m, field := etagField(msg.ProtoReflect())
	if field == nil {
		return invoker(ctx, method, req, reply, cc, opts...)
	}
	if strings.HasPrefix(want, "W/") {
		return etagMismatch("If-Match needs a strong etag, as the ETag header of a read gives it")
	}
	if given := m.Get(field).String(); given != "" && given != want {
		return etagMismatch("If-Match and the body's etag differ")
	}
	m.Set(field, protoreflect.ValueOfString(want))
	return invoker(ctx, method, req, reply, cc, opts...)
}

// etagField finds the etag of a request: its own singular string field "etag", or that of its
// first set message field that has one (the resource of an Update).
func etagField(m protoreflect.Message) (protoreflect.Message, protoreflect.FieldDescriptor) {
	isEtag := func(f protoreflect.FieldDescriptor) bool {
		return f != nil && f.Kind() == protoreflect.StringKind && f.Cardinality() != protoreflect.Repeated
	}
	if f := m.Descriptor().Fields().ByName("etag"); isEtag(f) {
		return m, f
	}
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		f := fields.Get(i)
		if f.Kind() != protoreflect.MessageKind || f.Cardinality() == protoreflect.Repeated || !m.Has(f) {
			continue
		}
		inner := m.Mutable(f).Message()
		if e := inner.Descriptor().Fields().ByName("etag"); isEtag(e) {
			return inner, e
		}
	}
	return nil, nil
}

func etagMismatch(msg string) error {
	st, err := status.New(codes.FailedPrecondition, msg).WithDetails(&errdetails.ErrorInfo{Reason: ReasonEtagMismatch, Domain: errorDomain})
	if err != nil {
		return status.Error(codes.FailedPrecondition, msg)
	}
	return st.Err()
}

// preconditionStatus is the HTTP status of a stale etag: 412 Precondition Failed when the client
// asked with If-Match, 409 Conflict (httpStatus) when it sent the etag in the body.
func preconditionStatus(ctx context.Context, st *status.Status, code int) int {
	if ifMatchFrom(ctx) == "" || st.Code() != codes.FailedPrecondition {
		return code
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetReason() == ReasonEtagMismatch {
			return http.StatusPreconditionFailed
		}
	}
	return code
}

// setETag is a grpc-gateway forward-response option: a resource read or written answers its etag
// (already an HTTP entity-tag, `"…"`) as the ETag header too, for If-Match and If-None-Match.
func setETag(_ context.Context, w http.ResponseWriter, m proto.Message) error {
	if m == nil {
		return nil
	}
	r := m.ProtoReflect()
	if f := r.Descriptor().Fields().ByName("etag"); f != nil && f.Kind() == protoreflect.StringKind && f.Cardinality() != protoreflect.Repeated {
		if e := r.Get(f).String(); strings.HasPrefix(e, `"`) && strings.HasSuffix(e, `"`) && len(e) > 2 {
			w.Header().Set("ETag", e)
		}
	}
	return nil
}

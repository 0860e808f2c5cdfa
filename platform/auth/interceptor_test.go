package auth

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/apipb"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// The test service, described by hand so the test needs no generated code.
const (
	testService = "vif.authtest.v1.TestService"
	mRead       = "/" + testService + "/Read"      // readers and coordinators
	mCreate     = "/" + testService + "/Create"    // coordinators; a Write
	mPublic     = "/" + testService + "/Public"    // anyone
	mAnyone     = "/" + testService + "/Anyone"    // any authenticated caller
	mForgotten  = "/" + testService + "/Forgotten" // served, but missing from the policy
	mWatch      = "/" + testService + "/Watch"     // a server stream, for readers
	mHealth     = "/grpc.health.v1.Health/Check"
	mHealthWait = "/grpc.health.v1.Health/Watch"
)

// createdName is the name Create gives what it creates, whatever the request said.
const createdName = "networks/chalonnais/apis/created-1"

var testPolicy = Policy{
	mRead:   {Roles: []Role{RoleReader, RoleCoordinator}},
	mCreate: {Roles: []Role{RoleCoordinator}, Write: true},
	mPublic: {Public: true},
	mAnyone: {},
	mWatch:  {Roles: []Role{RoleReader}},
}

// whoAmI answers with the subject the handler found in its context, proving the claims got
// through.
func whoAmI(ctx context.Context) *wrapperspb.StringValue {
	if c, ok := FromContext(ctx); ok {
		return wrapperspb.String(c.Subject)
	}
	return wrapperspb.String("anonymous")
}

// unaryMethod makes a MethodDesc whose handler decodes a PT and runs h behind the interceptor.
func unaryMethod[T any, PT interface {
	*T
	proto.Message
}](name string, h func(context.Context, PT) (any, error)) grpc.MethodDesc {
	return grpc.MethodDesc{
		MethodName: name,
		Handler: func(srv any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
			in := PT(new(T))
			if err := dec(in); err != nil {
				return nil, err
			}
			info := &grpc.UnaryServerInfo{Server: srv, FullMethod: "/" + testService + "/" + name}
			return icpt(ctx, in, info, func(ctx context.Context, req any) (any, error) { return h(ctx, req.(PT)) })
		},
	}
}

var testServiceDesc = grpc.ServiceDesc{
	ServiceName: testService,
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{
		unaryMethod("Read", func(ctx context.Context, _ *wrapperspb.StringValue) (any, error) { return whoAmI(ctx), nil }),
		unaryMethod("Public", func(ctx context.Context, _ *wrapperspb.StringValue) (any, error) { return whoAmI(ctx), nil }),
		unaryMethod("Anyone", func(ctx context.Context, _ *wrapperspb.StringValue) (any, error) { return whoAmI(ctx), nil }),
		unaryMethod("Forgotten", func(ctx context.Context, _ *wrapperspb.StringValue) (any, error) { return whoAmI(ctx), nil }),
		unaryMethod("Create", func(ctx context.Context, in *apipb.Api) (any, error) {
			if in.GetName() == "" {
				return nil, status.Error(codes.InvalidArgument, "name is required")
			}
			return &apipb.Api{Name: createdName}, nil
		}),
	},
	Streams: []grpc.StreamDesc{{
		StreamName:    "Watch",
		ServerStreams: true,
		Handler: func(_ any, ss grpc.ServerStream) error {
			if err := ss.RecvMsg(new(wrapperspb.StringValue)); err != nil {
				return err
			}
			return ss.SendMsg(whoAmI(ss.Context()))
		},
	}},
}

// syncBuffer lets the server's goroutines write the log while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// take returns what was written since the last take.
func (b *syncBuffer) take() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	b.buf.Reset()
	return s
}

func newJSONLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }

// fixture is a real gRPC server behind the interceptors, with tokens for each kind of caller.
type fixture struct {
	conn   *grpc.ClientConn
	log    *syncBuffer
	tokens map[string]string // by caller: "reader", "coordinator", "admin", "funder", "expired", "stranger"
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	key := newKey(t)
	v := Verifier{Key: key.Public().(ed25519.PublicKey), Now: fixedClock(testNow)}
	logs := &syncBuffer{}
	log := newJSONLogger(logs)

	srv := grpc.NewServer(
		grpc.ChainUnaryInterceptor(UnaryServerInterceptor(v, testPolicy, log)),
		grpc.ChainStreamInterceptor(StreamServerInterceptor(v, testPolicy, log)),
	)
	healthpb.RegisterHealthServer(srv, health.NewServer())
	srv.RegisterService(&testServiceDesc, struct{}{})
	lis := bufconn.Listen(1 << 20)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)

	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })

	sub := func(s string) jwt.RegisteredClaims { return jwt.RegisteredClaims{Subject: s} }
	return &fixture{conn: conn, log: logs, tokens: map[string]string{
		"reader":      issue(t, key, testNow, Claims{Role: RoleReader, RegisteredClaims: sub("bob")}, time.Hour),
		"coordinator": issue(t, key, testNow, Claims{Role: RoleCoordinator, Network: "chalonnais", RegisteredClaims: sub("carole")}, time.Hour),
		"admin":       issue(t, key, testNow, Claims{Role: RoleAdmin, RegisteredClaims: sub("alice")}, time.Hour),
		"funder":      issue(t, key, testNow, Claims{Role: RoleFunder, Organisation: "caf-71", RegisteredClaims: sub("fanny")}, time.Hour),
		"expired":     issue(t, key, testNow.Add(-2*time.Hour), Claims{Role: RoleReader, RegisteredClaims: sub("bob")}, time.Hour),
		"stranger":    issue(t, newKey(t), testNow, Claims{Role: RoleAdmin, RegisteredClaims: sub("mallory")}, time.Hour),
	}}
}

// ctx returns a context sending the given authorization values (none when empty).
func (f *fixture) ctx(t *testing.T, auth ...string) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	for _, a := range auth {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", a)
	}
	return ctx
}

func (f *fixture) bearer(caller string) string { return "Bearer " + f.tokens[caller] }

// reasonOf returns the ErrorInfo reason of err and whether its domain is ours.
func reasonOf(err error) (string, bool) {
	for _, d := range status.Convert(err).Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetReason(), info.GetDomain() == ErrorDomain
		}
	}
	return "", false
}

func TestUnaryServerInterceptor(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name       string
		method     string
		auth       []string
		req        proto.Message
		wantCode   codes.Code
		wantReason string // when not OK
		wantMsg    string // substring of the status message, or the subject answered when OK
	}{
		{"no token on a private method", mRead, nil, &wrapperspb.StringValue{}, codes.Unauthenticated, ReasonUnauthenticated, "missing bearer token"},
		{"garbage token", mRead, []string{"Bearer garbage"}, &wrapperspb.StringValue{}, codes.Unauthenticated, ReasonTokenInvalid, "invalid token"},
		{"token signed by another key", mRead, []string{f.bearer("stranger")}, &wrapperspb.StringValue{}, codes.Unauthenticated, ReasonTokenInvalid, "invalid token"},
		{"expired token", mRead, []string{f.bearer("expired")}, &wrapperspb.StringValue{}, codes.Unauthenticated, ReasonTokenExpired, "token expired"},
		{"not a bearer scheme", mRead, []string{"Basic Ym9iOnB3"}, &wrapperspb.StringValue{}, codes.Unauthenticated, ReasonUnauthenticated, "Bearer <token>"},
		{"two authorization headers", mRead, []string{f.bearer("reader"), f.bearer("admin")}, &wrapperspb.StringValue{}, codes.Unauthenticated, ReasonUnauthenticated, "more than one"},
		{"wrong role", mCreate, []string{f.bearer("reader")}, &apipb.Api{Name: "networks/chalonnais"}, codes.PermissionDenied, ReasonRoleNotAllowed, "role reader may not call Create"},
		{"wrong role for a scoped caller", mRead, []string{f.bearer("funder")}, &wrapperspb.StringValue{}, codes.PermissionDenied, ReasonRoleNotAllowed, "role funder may not call Read"},
		{"allowed role", mRead, []string{f.bearer("reader")}, &wrapperspb.StringValue{}, codes.OK, "", "bob"},
		{"scheme is case-insensitive", mRead, []string{"bearer " + f.tokens["reader"]}, &wrapperspb.StringValue{}, codes.OK, "", "bob"},
		{"admin may call anything in the policy", mRead, []string{f.bearer("admin")}, &wrapperspb.StringValue{}, codes.OK, "", "alice"},
		{"any authenticated caller", mAnyone, []string{f.bearer("funder")}, &wrapperspb.StringValue{}, codes.OK, "", "fanny"},
		{"any authenticated caller, no token", mAnyone, nil, &wrapperspb.StringValue{}, codes.Unauthenticated, ReasonUnauthenticated, "missing bearer token"},
		{"public method, no token", mPublic, nil, &wrapperspb.StringValue{}, codes.OK, "", "anonymous"},
		{"public method, valid token", mPublic, []string{f.bearer("reader")}, &wrapperspb.StringValue{}, codes.OK, "", "bob"},
		{"public method, invalid token", mPublic, []string{"Bearer garbage"}, &wrapperspb.StringValue{}, codes.Unauthenticated, ReasonTokenInvalid, "invalid token"},
		{"public method, expired token", mPublic, []string{f.bearer("expired")}, &wrapperspb.StringValue{}, codes.Unauthenticated, ReasonTokenExpired, "token expired"},
		{"method missing from the policy", mForgotten, []string{f.bearer("admin")}, &wrapperspb.StringValue{}, codes.PermissionDenied, ReasonMethodNotInPolicy, "not in the access policy"},
		{"method missing from the policy, no token", mForgotten, nil, &wrapperspb.StringValue{}, codes.PermissionDenied, ReasonMethodNotInPolicy, "not in the access policy"},
		{"health check, no token", mHealth, nil, &healthpb.HealthCheckRequest{}, codes.OK, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp proto.Message = &wrapperspb.StringValue{}
			if tt.method == mHealth {
				resp = &healthpb.HealthCheckResponse{}
			} else if tt.method == mCreate {
				resp = &emptypb.Empty{}
			}
			err := f.conn.Invoke(f.ctx(t, tt.auth...), tt.method, tt.req, resp)
			st := status.Convert(err)
			if st.Code() != tt.wantCode {
				t.Fatalf("%s: code = %v (%q); want %v", tt.method, st.Code(), st.Message(), tt.wantCode)
			}
			if tt.wantCode == codes.OK {
				if sv, ok := resp.(*wrapperspb.StringValue); ok && sv.GetValue() != tt.wantMsg {
					t.Errorf("%s: handler saw caller %q; want %q", tt.method, sv.GetValue(), tt.wantMsg)
				}
				return
			}
			if !strings.Contains(st.Message(), tt.wantMsg) {
				t.Errorf("%s: message = %q; want it to contain %q", tt.method, st.Message(), tt.wantMsg)
			}
			if reason, ours := reasonOf(err); reason != tt.wantReason || !ours {
				t.Errorf("%s: ErrorInfo reason = %q (domain ours: %v); want %q in %s", tt.method, reason, ours, tt.wantReason, ErrorDomain)
			}
			for _, tok := range f.tokens {
				if strings.Contains(st.Message(), tok) {
					t.Errorf("%s: message %q quotes a token", tt.method, st.Message())
				}
			}
		})
	}
}

// TestStreamServerInterceptor checks that streaming methods are guarded as well: a server
// with only the unary interceptor would leave them open.
func TestStreamServerInterceptor(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name     string
		method   string
		auth     []string
		req      proto.Message
		resp     proto.Message
		wantCode codes.Code
		wantWho  string
	}{
		{"no token", mWatch, nil, &wrapperspb.StringValue{}, &wrapperspb.StringValue{}, codes.Unauthenticated, ""},
		{"expired token", mWatch, []string{f.bearer("expired")}, &wrapperspb.StringValue{}, &wrapperspb.StringValue{}, codes.Unauthenticated, ""},
		{"wrong role", mWatch, []string{f.bearer("funder")}, &wrapperspb.StringValue{}, &wrapperspb.StringValue{}, codes.PermissionDenied, ""},
		{"allowed role", mWatch, []string{f.bearer("reader")}, &wrapperspb.StringValue{}, &wrapperspb.StringValue{}, codes.OK, "bob"},
		{"health watch, no token", mHealthWait, nil, &healthpb.HealthCheckRequest{}, &healthpb.HealthCheckResponse{}, codes.OK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(f.ctx(t, tt.auth...))
			defer cancel() // ends health Watch, which never ends by itself
			s, err := f.conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, tt.method)
			if err == nil {
				err = s.SendMsg(tt.req)
			}
			if err == nil {
				err = s.CloseSend()
			}
			if err == nil {
				err = s.RecvMsg(tt.resp)
			}
			if got := status.Code(err); got != tt.wantCode {
				t.Fatalf("%s: code = %v (%v); want %v", tt.method, got, err, tt.wantCode)
			}
			if sv, ok := tt.resp.(*wrapperspb.StringValue); ok && sv.GetValue() != tt.wantWho {
				t.Errorf("%s: handler saw caller %q; want %q", tt.method, sv.GetValue(), tt.wantWho)
			}
		})
	}
}

func TestInterceptorNeedsKey(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("UnaryServerInterceptor(Verifier{}) did not panic; want a panic at wiring time")
		}
	}()
	UnaryServerInterceptor(Verifier{}, Policy{}, nil)
}

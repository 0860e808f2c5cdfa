// Package grpctest is the test kit of the gRPC adapters and the services' composition roots: a
// server with the full interceptor chain of grpcserver (authentication, policy, protovalidate,
// error mapping…) on an in-memory listener, bearer tokens per role signed with the server's own
// key, WantStatus to assert the code, the ErrorInfo reason and the violated field of an error,
// and Eventually (or Within) to wait for a condition instead of sleeping.
package grpctest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/grpcserver"
)

// Server is a test server and a client connection to it.
type Server struct {
	Conn *grpc.ClientConn
	// Logger is the server's logger, which Serve reads (nil: the server logs nothing).
	Logger *slog.Logger
	key    ed25519.PrivateKey
	lis    *bufconn.Listener
}

// Start serves services until the test ends, and runs background beside them (a service's
// relay, its seed; none when what a test checks is that nothing was written). It stops them and
// waits for them in the test's cleanup.
func Start(t testing.TB, services []grpcserver.Service, background ...func(context.Context) error) *Server {
	t.Helper()
	s := New(t)
	s.Serve(t, services, background...)
	return s
}

// New returns a server that serves nothing yet, with its key and its client connection: a test
// whose services are themselves clients of the server that hosts them (as in the embedded
// default) builds them with Dial's connections, then calls Serve. The connections are closed
// when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{key: key, lis: bufconn.Listen(1 << 20)}
	s.Conn = s.Dial(t)
	return s
}

// Dial returns another client connection to the server, closed when the test ends; its calls
// wait until the server serves.
func (s *Server) Dial(t testing.TB) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return s.lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// Serve serves services behind grpcserver's full chain, verifying the tokens As signs, and runs
// background beside them until the test ends; the test's cleanup stops them and waits for them,
// before it closes the connections. A server that stops serving before then fails the test.
func (s *Server) Serve(t testing.TB, services []grpcserver.Service, background ...func(context.Context) error) {
	t.Helper()
	logger := s.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	srv, err := grpcserver.New(grpcserver.Options{
		Logger:   logger,
		Verifier: auth.Verifier{Key: s.key.Public().(ed25519.PublicKey)},
		Services: services,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := srv.Serve(ctx, s.lis, nil); err != nil && ctx.Err() == nil {
			t.Errorf("grpctest: the server stopped serving: %v", err)
		}
	})
	for _, bg := range background {
		wg.Go(func() { _ = bg(ctx) })
	}
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
}

// As returns a context whose calls carry a bearer token with claims (its subject "test-<role>"
// unless set), valid for an hour.
func (s *Server) As(t testing.TB, claims auth.Claims) context.Context {
	t.Helper()
	if claims.Subject == "" {
		claims.Subject = "test-" + string(claims.Role)
	}
	tok, err := auth.Issuer{Key: s.key}.Issue(claims, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tok)
}

// Role is As for a role alone, such as auth.RoleAdmin.
func (s *Server) Role(t testing.TB, role auth.Role) context.Context {
	t.Helper()
	return s.As(t, auth.Claims{Role: role})
}

// Reason returns the ErrorInfo reason of err's status ("" when it has none).
func Reason(err error) string {
	for _, d := range status.Convert(err).Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetReason()
		}
	}
	return ""
}

// Fields returns the fields a BadRequest detail of err's status names.
func Fields(err error) []string {
	var out []string
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				out = append(out, v.GetField())
			}
		}
	}
	return out
}

// WantStatus fails t unless err has code, the ErrorInfo reason (unless reason is "") and a
// field violation of field (unless field is "").
func WantStatus(t testing.TB, err error, code codes.Code, reason, field string) {
	t.Helper()
	if msg := statusMismatch(err, code, reason, field); msg != "" {
		t.Errorf("%v: %s", err, msg)
	}
}

func statusMismatch(err error, code codes.Code, reason, field string) string {
	if got := status.Code(err); got != code {
		return fmt.Sprintf("code %v; want %v", got, code)
	}
	if got := Reason(err); reason != "" && got != reason {
		return fmt.Sprintf("reason %q; want %q", got, reason)
	}
	if field != "" {
		for _, f := range Fields(err) {
			if f == field {
				return ""
			}
		}
		return fmt.Sprintf("violated fields %q; want %q among them", Fields(err), field)
	}
	return ""
}

// Eventually polls cond every 10 ms until it holds, and fails t with the message when it still
// does not after timeout.
func Eventually(t testing.TB, timeout time.Duration, cond func() bool, format string, args ...any) {
	t.Helper()
	if !Within(timeout, 10*time.Millisecond, cond) {
		t.Fatalf("after %v: "+format, append([]any{timeout}, args...)...)
	}
}

// Within polls cond, first at once, then every interval, until it holds or timeout has passed,
// and reports whether it held. It is Eventually for a test that says itself what it last saw
// (cond may record it), or that goes on to report more once the wait is over; a cond that calls
// a process or a service it must not flood gives a longer interval.
func Within(timeout, interval time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(interval)
	}
	return true
}

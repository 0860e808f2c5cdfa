package grpcserver_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/grpcserver"
)

const sleepMethod = "/vif.test.v1.SleepService/Sleep"

// sleepService has one public method that sleeps for the duration it is sent, without looking at
// its context: the handler that keeps working after its client has given up.
var sleepService = grpcserver.Service{
	Name:   "vif.test.v1.SleepService",
	Policy: auth.Policy{sleepMethod: {Public: true}},
	Register: func(r grpc.ServiceRegistrar) {
		r.RegisterService(&grpc.ServiceDesc{
			ServiceName: "vif.test.v1.SleepService",
			HandlerType: (*any)(nil),
			Methods: []grpc.MethodDesc{{
				MethodName: "Sleep",
				Handler: func(_ any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
					in := new(durationpb.Duration)
					if err := dec(in); err != nil {
						return nil, err
					}
					h := func(ctx context.Context, req any) (any, error) {
						time.Sleep(req.(*durationpb.Duration).AsDuration())
						return req, nil
					}
					return ic(ctx, in, &grpc.UnaryServerInfo{FullMethod: sleepMethod}, h)
				},
			}},
		}, struct{}{})
	},
}

// syncBuffer is a log sink the server writes to while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type served struct {
	conn    *grpc.ClientConn
	logs    *syncBuffer
	stop    context.CancelFunc
	stopped chan error
}

func serve(t *testing.T) *served {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	srv, err := grpcserver.New(grpcserver.Options{
		Logger:   slog.New(slog.NewJSONHandler(logs, nil)),
		Verifier: auth.Verifier{Key: pub},
		Services: []grpcserver.Service{sleepService},
	})
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	s := &served{logs: logs, stop: stop, stopped: make(chan error, 1)}
	go func() { s.stopped <- srv.Serve(ctx, lis, nil) }()
	t.Cleanup(func() {
		stop()
		<-s.stopped
	})
	s.conn, err = grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.conn.Close() })
	return s
}

func (s *served) sleep(ctx context.Context, d time.Duration) error {
	return s.conn.Invoke(ctx, sleepMethod, durationpb.New(d), new(durationpb.Duration))
}

// TestShutdownEndsStreamsAndDrainsCalls: with a Health/Watch stream open and a unary call in
// flight, the stop lets the call finish, ends the stream with Unavailable, and returns at once
// rather than after the 10 s shutdown timeout.
func TestShutdownEndsStreamsAndDrainsCalls(t *testing.T) {
	s := serve(t)
	watch, err := healthpb.NewHealthClient(s.conn).Watch(context.Background(), &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if msg, err := watch.Recv(); err != nil || msg.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("first Watch message = %v, %v; want SERVING", msg, err)
	}
	inFlight := make(chan error, 1)
	go func() { inFlight <- s.sleep(context.Background(), 300*time.Millisecond) }()
	time.Sleep(100 * time.Millisecond) // the call is running

	start := time.Now()
	s.stop()
	select {
	case err := <-s.stopped:
		s.stopped <- err // for the cleanup
		if err != nil {
			t.Errorf("Serve = %v; want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve still running 5 s after the stop, held by the open Watch stream")
	}
	took := time.Since(start)
	t.Logf("stopped %v after the signal", took.Round(time.Millisecond))
	if took > time.Second {
		t.Errorf("stop took %v; want under 1 s (the in-flight call needed 200 ms)", took)
	}
	if err := <-inFlight; err != nil {
		t.Errorf("call in flight during the stop = %v; want it to finish", err)
	}
	for {
		msg, err := watch.Recv()
		if err == nil {
			continue // NOT_SERVING, when it got out before the end
		}
		if status.Code(err) != codes.Unavailable {
			t.Errorf("Watch ended with %v; want Unavailable", err)
		}
		_ = msg
		break
	}
}

// TestExpiredDeadlineIsLoggedAsTheClientSawIt: a handler that finishes after its client's
// deadline is logged with DeadlineExceeded, the code the client got, not OK.
func TestExpiredDeadlineIsLoggedAsTheClientSawIt(t *testing.T) {
	s := serve(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.sleep(ctx, 150*time.Millisecond); status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("call past its deadline = %v; want DeadlineExceeded", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		for _, line := range strings.Split(s.logs.String(), "\n") {
			var rec struct{ Msg, Method, Code string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "rpc" && rec.Method == sleepMethod {
				if rec.Code != codes.DeadlineExceeded.String() {
					t.Errorf("rpc log code = %q; want %q (what the client got)", rec.Code, codes.DeadlineExceeded)
				}
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no rpc log line for %s:\n%s", sleepMethod, s.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

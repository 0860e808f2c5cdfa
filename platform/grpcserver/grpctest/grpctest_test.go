package grpctest

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/vif71/vif/platform/auth"
)

func TestStatusMismatch(t *testing.T) {
	st, err := status.New(codes.InvalidArgument, "bad").WithDetails(
		&errdetails.ErrorInfo{Reason: "INVALID_ARGUMENT", Domain: "vif"},
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: "post.display_name"}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	bad := st.Err()
	tests := []struct {
		code         codes.Code
		reason, fld  string
		wantMismatch bool
	}{
		{codes.InvalidArgument, "INVALID_ARGUMENT", "post.display_name", false},
		{codes.InvalidArgument, "", "", false},
		{codes.NotFound, "", "", true},
		{codes.InvalidArgument, "NOT_FOUND", "", true},
		{codes.InvalidArgument, "", "post.network", true},
	}
	for _, tt := range tests {
		if got := statusMismatch(bad, tt.code, tt.reason, tt.fld) != ""; got != tt.wantMismatch {
			t.Errorf("statusMismatch(%v, %v, %q, %q) = %q; want a mismatch: %v", bad, tt.code, tt.reason, tt.fld, statusMismatch(bad, tt.code, tt.reason, tt.fld), tt.wantMismatch)
		}
	}
}

// TestStartServesAndEventuallyPolls: the kit's server answers through grpcserver's chain (health),
// and Eventually polls until its condition holds.
func TestStartServesAndEventuallyPolls(t *testing.T) {
	srv := Start(t, nil)
	resp, err := healthpb.NewHealthClient(srv.Conn).Check(srv.Role(t, auth.RoleAdmin), &healthpb.HealthCheckRequest{})
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("Check = %v, %v; want SERVING", resp, err)
	}
	calls := 0
	Eventually(t, time.Second, func() bool { calls++; return calls == 3 }, "never true")
	if calls != 3 {
		t.Errorf("Eventually polled %d times; want 3", calls)
	}
}

// TestWithin: Within reports a condition that holds in time, checking it at once and then every
// interval, and gives up once the timeout has passed.
func TestWithin(t *testing.T) {
	calls := 0
	if !Within(time.Second, time.Millisecond, func() bool { calls++; return calls == 3 }) || calls != 3 {
		t.Errorf("Within of a condition true at the third call = false or %d calls; want true after 3", calls)
	}
	calls = 0
	if !Within(0, time.Hour, func() bool { calls++; return true }) || calls != 1 {
		t.Errorf("Within of a condition true at once polled %d times; want true after 1, no wait", calls)
	}
	began := time.Now()
	calls = 0
	if Within(50*time.Millisecond, 20*time.Millisecond, func() bool { calls++; return false }) {
		t.Error("Within of a condition never true = true; want false")
	}
	if took := time.Since(began); took < 50*time.Millisecond || calls < 2 || calls > 5 {
		t.Errorf("Within gave up after %v and %d calls; want at least the 50 ms timeout, 2 to 5 calls 20 ms apart", took, calls)
	}
}

// TestNewDialServe: a connection dialled before the server serves (a hosted service's own) is
// answered once it does, the server logs to Logger, and the test's cleanup stops the background
// tasks and waits for them.
func TestNewDialServe(t *testing.T) {
	var logs bytes.Buffer
	stopped := false
	t.Run("served", func(t *testing.T) {
		srv := New(t)
		own := srv.Dial(t)
		srv.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
		srv.Serve(t, nil, func(ctx context.Context) error {
			<-ctx.Done()
			time.Sleep(10 * time.Millisecond) // a task that takes a while to stop: cleanup waits for it
			stopped = true
			return nil
		})
		resp, err := healthpb.NewHealthClient(own).Check(srv.Role(t, auth.RoleAdmin), &healthpb.HealthCheckRequest{})
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Fatalf("Check through the connection dialled before Serve = %v, %v; want SERVING", resp, err)
		}
	})
	if !stopped {
		t.Error("the background task was still running after the test's cleanup")
	}
	if !strings.Contains(logs.String(), `"level":"INFO"`) {
		t.Errorf("server logs = %q; want the server's own lines (its drain) in Logger", logs.String())
	}
}

package grpctest

import (
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

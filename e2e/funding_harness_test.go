package e2e

import (
	"context"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/grpcserver/grpctest"
	"github.com/vif71/vif/platform/storage"
	fundingv1 "github.com/vif71/vif/proto/gen/go/vif/funding/v1"
	"github.com/vif71/vif/services/funding"
)

// suite is the directory and the funding service in one harness (see startHarness), the funding
// seed in the background.
type suite struct {
	*harness
	funding fundingv1.FundingServiceClient
}

func startSuite(t *testing.T, directoryDB, fundingDB *storage.DB) *suite {
	t.Helper()
	h := startHarness(t, directoryDB, func(ctx context.Context, env hostEnv) (hosted, error) {
		fund, err := funding.New(ctx, funding.Config{DB: fundingDB, JetStream: env.js, Directory: env.directory, Logger: env.log, Seed: true, Relay: env.relay})
		if err != nil {
			return hosted{}, err
		}
		return hosted{grpc: fund.GRPC, background: fund.Background}, nil
	})
	return &suite{harness: h, funding: fundingv1.NewFundingServiceClient(h.Conn)}
}

// waitForSeed polls, bounded, until the funding seed has written its three posts and their
// plans: it runs in the background and waits for the directory to answer.
func (s *suite) waitForSeed(t *testing.T) {
	t.Helper()
	ctx := s.as(t, auth.RoleReader, "")
	var posts *fundingv1.ListPostsResponse
	var plans *fundingv1.ListFundingPlansResponse
	var perr, lerr error
	if !grpctest.Within(30*time.Second, 100*time.Millisecond, func() bool {
		posts, perr = s.funding.ListPosts(ctx, &fundingv1.ListPostsRequest{})
		plans, lerr = s.funding.ListFundingPlans(ctx, &fundingv1.ListFundingPlansRequest{Parent: "posts/-"})
		return perr == nil && lerr == nil && posts.GetTotalSize() == 3 && plans.GetTotalSize() == 3
	}) {
		t.Fatalf("funding seed not visible after 30 s: posts %d (%v), plans %d (%v); want 3 and 3",
			posts.GetTotalSize(), perr, plans.GetTotalSize(), lerr)
	}
}

// wantCode fails t unless err is a status with code and an ErrorInfo reason, and, when field is
// set, a google.rpc.BadRequest violation on that field: grpctest.WantStatus for a call named what,
// asking for a reason without naming it.
func wantCode(t *testing.T, what string, err error, code codes.Code, field string) {
	t.Helper()
	if got := status.Code(err); got != code {
		t.Errorf("%s: code = %v (%v); want %v", what, got, err, code)
		return
	}
	if code != codes.OK && grpctest.Reason(err) == "" {
		t.Errorf("%s: no ErrorInfo reason in %v", what, err)
	}
	if fields := grpctest.Fields(err); field != "" && !slices.Contains(fields, field) {
		t.Errorf("%s: violated fields = %v; want %q among them (%v)", what, fields, field, err)
	}
}

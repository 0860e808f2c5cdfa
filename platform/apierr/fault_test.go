package apierr

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vif71/vif/platform/fault"
	"github.com/vif71/vif/platform/resource"
)

// TestFaultsCarryTheirStatus: a shared domain error (platform/resource) or a domain's own fault,
// wrapped with the resource name as the domains do, gets the code of its kind, its reason and the
// wrapped message with no table row; a table row still maps an error no domain declares.
func TestFaultsCarryTheirStatus(t *testing.T) {
	own := fmt.Errorf("own")
	table := []Mapping{{Err: own, Code: codes.Aborted, Reason: "OWN"}}
	cases := []struct {
		err    error
		code   codes.Code
		reason string
	}{
		{resource.ErrNotFound, codes.NotFound, "NOT_FOUND"},
		{resource.ErrAlreadyExists, codes.AlreadyExists, "ALREADY_EXISTS"},
		{resource.ErrEtagMismatch, codes.FailedPrecondition, "ETAG_MISMATCH"},
		{resource.ErrWrongState, codes.FailedPrecondition, "WRONG_STATE"},
		{resource.ErrPermissionDenied, codes.PermissionDenied, "OUTSIDE_SCOPE"},
		{resource.ErrDirectoryUnavailable, codes.Unavailable, "DIRECTORY_UNAVAILABLE"},
		{resource.ErrOrganisationDeleted, codes.FailedPrecondition, "ORGANISATION_DELETED"},
		{fault.Aborted("CONCURRENT_REVISION", "retry"), codes.Aborted, "CONCURRENT_REVISION"},
		{fault.Internal("UNPUBLISHABLE", "cannot be published"), codes.Internal, "UNPUBLISHABLE"},
		{own, codes.Aborted, "OWN"},
	}
	for _, c := range cases {
		wrapped := fmt.Errorf("things/x: %w", c.err)
		st := status.Convert(ToStatus(context.Background(), wrapped, table, slog.Default()))
		var reason string
		for _, d := range st.Details() {
			if info, ok := d.(*errdetails.ErrorInfo); ok {
				reason = info.GetReason()
			}
		}
		if st.Code() != c.code || reason != c.reason || st.Message() != wrapped.Error() {
			t.Errorf("%v: got %s %q %q, want %s %q %q", c.err, st.Code(), reason, st.Message(), c.code, c.reason, wrapped.Error())
		}
	}
}

// TestEveryKindHasACode: no kind falls through to Internal by omission.
func TestEveryKindHasACode(t *testing.T) {
	for k := fault.KindInvalidArgument; k <= fault.KindInternal; k++ {
		if _, ok := kindCodes[k]; !ok {
			t.Errorf("kind %d has no gRPC code", k)
		}
	}
}

package apierr

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vif71/vif/platform/resource"
)

// TestResourceRows: a shared domain error, wrapped with the resource name as the domains do,
// gets the same code and reason from every service's table, and a service's own row follows.
func TestResourceRows(t *testing.T) {
	own := fmt.Errorf("own")
	table := WithResource([]Mapping{{Err: own, Code: codes.Aborted, Reason: "OWN"}})
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
		{own, codes.Aborted, "OWN"},
	}
	for _, c := range cases {
		err := ToStatus(context.Background(), fmt.Errorf("things/x: %w", c.err), table, slog.Default())
		st, _ := status.FromError(err)
		var reason string
		for _, d := range st.Details() {
			if info, ok := d.(*errdetails.ErrorInfo); ok {
				reason = info.GetReason()
			}
		}
		if st.Code() != c.code || reason != c.reason {
			t.Errorf("%v: got %s %q, want %s %q", c.err, st.Code(), reason, c.code, c.reason)
		}
	}
}

package fault_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/vif71/vif/platform/fault"
)

// TestOfFindsTheWrappedError: a domain error wrapped with the resource name keeps its kind and
// reason, and its message is the wrapping one.
func TestOfFindsTheWrappedError(t *testing.T) {
	errHasMembers := fault.Precondition("HAS_MEMBERS", "still has members")
	err := fmt.Errorf("organisations/x: %w", errHasMembers)
	f, ok := fault.Of(err)
	if !ok || f.Kind != fault.KindPrecondition || f.Reason != "HAS_MEMBERS" {
		t.Fatalf("Of(%v) = %+v, %v; want KindPrecondition HAS_MEMBERS", err, f, ok)
	}
	if got, want := err.Error(), "organisations/x: still has members"; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
	if _, ok := fault.Of(errors.New("plain")); ok {
		t.Error("Of(a plain error) found a fault")
	}
}

// TestErrorsAreDistinct: two errors of the same kind, reason and message are still two errors:
// errors.Is matches the one a domain returned, never its look-alike.
func TestErrorsAreDistinct(t *testing.T) {
	a := fault.NotFound("NOT_FOUND", "not found")
	b := fault.NotFound("NOT_FOUND", "not found")
	if errors.Is(fmt.Errorf("x: %w", a), b) || !errors.Is(fmt.Errorf("x: %w", a), a) {
		t.Errorf("errors.Is matches by value, not identity")
	}
}

func TestConstructorsGiveTheirKind(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want fault.Kind
	}{
		{fault.InvalidArgument("R", "m"), fault.KindInvalidArgument},
		{fault.NotFound("R", "m"), fault.KindNotFound},
		{fault.AlreadyExists("R", "m"), fault.KindAlreadyExists},
		{fault.Precondition("R", "m"), fault.KindPrecondition},
		{fault.PermissionDenied("R", "m"), fault.KindPermissionDenied},
		{fault.Aborted("R", "m"), fault.KindAborted},
		{fault.Unavailable("R", "m"), fault.KindUnavailable},
		{fault.Internal("R", "m"), fault.KindInternal},
	} {
		if f, _ := fault.Of(tt.err); f.Kind != tt.want {
			t.Errorf("%v: kind %d; want %d", tt.err, f.Kind, tt.want)
		}
	}
}

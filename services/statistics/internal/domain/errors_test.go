package domain

import (
	"errors"
	"testing"

	"github.com/vif71/vif/platform/fault"
)

// TestErrorReasons: each error the statistics service's rules and stores return has the kind and the stable
// reason its clients switch on, and no two of them are one another (each keeps its own at the
// edge).
func TestErrorReasons(t *testing.T) {
	cases := []struct {
		name   string
		err    error
		kind   fault.Kind
		reason string
	}{
		{"ErrNotFound", ErrNotFound, fault.KindNotFound, "NOT_FOUND"},
		{"ErrAlreadyExists", ErrAlreadyExists, fault.KindAlreadyExists, "ALREADY_EXISTS"},
		{"ErrConcurrentRevision", ErrConcurrentRevision, fault.KindAborted, "CONCURRENT_REVISION"},
		{"ErrUnpublishable", ErrUnpublishable, fault.KindPrecondition, "UNPUBLISHABLE"},
		{"ErrNothingToPublish", ErrNothingToPublish, fault.KindPrecondition, "NOTHING_TO_PUBLISH"},
	}
	for i, c := range cases {
		f, ok := fault.Of(c.err)
		if !ok || f.Kind != c.kind || f.Reason != c.reason {
			t.Errorf("%s = %+v; want kind %d, reason %q", c.name, f, c.kind, c.reason)
		}
		for j, d := range cases {
			if i != j && errors.Is(c.err, d.err) {
				t.Errorf("%s is also %s: one of them would lose its reason", c.name, d.name)
			}
		}
	}
}

// Package faulttest checks, in a domain's tests, the errors it declares with platform/fault.
package faulttest

import (
	"errors"
	"testing"

	"github.com/vif71/vif/platform/fault"
)

// Case is one declared error and the kind and reason its clients rely on.
type Case struct {
	name   string
	err    error
	kind   fault.Kind
	reason string
}

// Want is the case of the error named name: it must carry kind and reason.
func Want(name string, err error, kind fault.Kind, reason string) Case {
	return Case{name: name, err: err, kind: kind, reason: reason}
}

// CheckReasons fails t unless each case's error carries its kind and reason, and no two cases'
// errors are one another (errors.Is): each must keep its own reason at the edge.
func CheckReasons(t testing.TB, cases ...Case) {
	t.Helper()
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

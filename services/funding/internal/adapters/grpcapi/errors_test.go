package grpcapi

import (
	"errors"
	"testing"
)

// TestMappedErrorsAreDistinct: the domain's errors, some of them the platform's shared sentinels
// (platform/resource), are distinct values, so each keeps its own code and reason at the edge.
func TestMappedErrorsAreDistinct(t *testing.T) {
	for i, a := range Errors {
		for j, b := range Errors {
			if i != j && errors.Is(a.Err, b.Err) {
				t.Errorf("%q (%s) is also %q (%s): one of them never maps", a.Err, a.Reason, b.Err, b.Reason)
			}
		}
	}
}

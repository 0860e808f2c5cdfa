package identity

import (
	"testing"
	"time"
)

// TestThrottleLiftsAfterTheWindow: MaxFailures failures lock a key; the lock lifts when the
// oldest failure leaves FailureWindow; a success clears the count; keys are apart.
func TestThrottleLiftsAfterTheWindow(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	th := newThrottle()
	th.now = func() time.Time { return now }
	for i := range MaxFailures {
		if !th.allow("email:a") {
			t.Fatalf("allow after %d failures = false; want true", i)
		}
		th.fail("email:a")
		now = now.Add(time.Minute)
	}
	if th.allow("email:a") {
		t.Errorf("allow after %d failures = true; want false", MaxFailures)
	}
	if !th.allow("email:b") {
		t.Error("another key is locked too; want keys apart")
	}
	now = now.Add(FailureWindow - MaxFailures*time.Minute + time.Second) // the first failure has left the window
	if !th.allow("email:a") {
		t.Error("allow once the oldest failure left the window = false; want true")
	}
	th.fail("email:a")
	if th.allow("email:a") {
		t.Error("allow after a new failure inside the window = true; want false")
	}
	th.reset("email:a")
	if !th.allow("email:a") {
		t.Error("allow after reset = false; want true")
	}
}

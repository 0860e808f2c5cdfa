package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/vif71/vif/platform/eventbus/eventbustest"
	"github.com/vif71/vif/platform/outbox"
)

// TestStoppedRelayPublishesWhatCommittedBeforeTheStop: a server stops its relay once its calls
// have drained; the events those calls committed go out on the way down, not at the next start,
// even when no Notify woke the relay for them.
func TestStoppedRelayPublishesWhatCommittedBeforeTheStop(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, f *fixture) {
		relay := outbox.NewRelay(f.db, f.js, outbox.RelayOptions{Logger: eventbustest.Logger(t), PollInterval: time.Hour})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- relay.Run(ctx) }()
		evs := events(2)
		f.commit(t, evs[0])
		relay.Notify()
		f.waitPending(t, 0) // the relay is now asleep for an hour
		f.commit(t, evs[1])
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run after cancel = %v; want nil", err)
			}
		case <-time.After(waitTimeout):
			t.Fatalf("Run did not return %v after cancel", waitTimeout)
		}
		if n := f.pending(t); n != 0 {
			t.Errorf("Pending after the stop = %d; want 0", n)
		}
		assertEachOnce(t, consumeAll(t, f.js, 2), ids(evs))
	})
}

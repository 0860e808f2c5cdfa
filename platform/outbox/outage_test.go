package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/vif71/vif/platform/eventbus"
)

// TestRelaySurvivesNATSOutage commits events while the bus is down: nothing is lost, nothing is
// doubled, and the relay neither gives up nor returns.
func TestRelaySurvivesNATSOutage(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, f *fixture) {
		done := f.run(t)
		// The relay is up and idle before the outage.
		before := events(1)
		f.commit(t, before...)
		f.waitPending(t, 0)

		f.bus.Stop()
		evs := events(20)
		f.commit(t, evs...)

		// The relay keeps retrying the oldest event: its attempts grow, nothing is marked sent,
		// and Run stays in its loop.
		waitFor(t, "several failed attempts on the oldest event", func() bool {
			var attempts int
			var lastError *string
			err := f.db.QueryRowContext(context.Background(),
				`SELECT attempts, last_error FROM outbox WHERE id = $1`, evs[0].ID).Scan(&attempts, &lastError)
			if err != nil {
				t.Fatal(err)
			}
			return attempts >= 3 && lastError != nil
		})
		if n := f.pending(t); n != len(evs) {
			t.Errorf("Pending during the outage = %d; want %d", n, len(evs))
		}
		select {
		case <-done:
			t.Fatal("Run returned during the outage; want it to keep retrying")
		default:
		}

		f.bus.Restart()
		start := time.Now()
		f.waitPending(t, 0)
		t.Logf("outbox drained %v after the server came back", time.Since(start).Round(time.Millisecond))

		// The stream holds the first event and the 20 from the outage, each once.
		msgs := consumeAll(t, f.js, 1+len(evs))
		assertEachOnce(t, msgs, append(ids(before), ids(evs)...))
		if n := streamMsgs(t, f.js); n != uint64(1+len(evs)) {
			t.Errorf("stream holds %d messages; want %d", n, 1+len(evs))
		}
	})
}

// TestRelayWaitsForMissingStream publishes nothing while the VIF stream does not exist (no
// other stream may swallow the events) and delivers everything once it is created, each
// resource's events in order.
func TestRelayWaitsForMissingStream(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		if err := f.js.DeleteStream(ctx, eventbus.StreamName); err != nil {
			t.Fatalf("DeleteStream: %v", err)
		}
		done := f.run(t)
		evs := about(events(6), "things/a", "things/b")
		f.commit(t, evs...)
		waitFor(t, "two failed attempts on the oldest event", func() bool {
			var attempts int
			if err := f.db.QueryRowContext(ctx, `SELECT attempts FROM outbox WHERE id = $1`, evs[0].ID).Scan(&attempts); err != nil {
				t.Fatal(err)
			}
			return attempts >= 2
		})
		if n := f.pending(t); n != len(evs) {
			t.Errorf("Pending without a stream = %d; want %d", n, len(evs))
		}
		select {
		case <-done:
			t.Fatal("Run returned while the stream was missing; want it to keep retrying")
		default:
		}

		if _, err := eventbus.EnsureStream(ctx, f.js, eventbus.StreamOptions{}); err != nil {
			t.Fatalf("EnsureStream: %v", err)
		}
		f.waitPending(t, 0)
		if n := streamMsgs(t, f.js); n != uint64(len(evs)) {
			t.Errorf("stream holds %d messages; want %d", n, len(evs))
		}
		assertOrderPerResource(t, consumeAll(t, f.js, len(evs)), evs)
	})
}

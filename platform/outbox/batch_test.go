package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/eventbus/eventbustest"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
)

// TestRefusedEventHoldsBackLaterEventsOfItsResource: the relay publishes a batch without waiting
// for each ack, yet when JetStream refuses one event (here: larger than the stream accepts), no
// later event of the same resource reaches the stream before it. Once the stream accepts it,
// everything goes out, each resource's events in the order of its changes.
func TestRefusedEventHoldsBackLaterEventsOfItsResource(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		stream, err := f.js.Stream(ctx, eventbus.StreamName)
		if err != nil {
			t.Fatal(err)
		}
		cfg := stream.CachedInfo().Config
		cfg.MaxMsgSize = 2048
		if _, err := f.js.UpdateStream(ctx, cfg); err != nil {
			t.Fatalf("UpdateStream: %v", err)
		}
		evs := about(events(4), "things/a", "things/b")
		// things/a: 0 (refused while the limit holds), 2; things/b: 1, 3.
		evs[0].Payload = wrapperspb.String(strings.Repeat("x", 4096))
		f.commit(t, evs...)
		f.run(t)

		waitFor(t, "two refusals of the large event", func() bool {
			var attempts int
			if err := f.db.QueryRowContext(ctx, `SELECT attempts FROM outbox WHERE id = $1`, evs[0].ID).Scan(&attempts); err != nil {
				t.Fatal(err)
			}
			return attempts >= 2
		})
		got := streamIDs(t, f.js)
		if slices.Contains(got, evs[2].ID) {
			t.Errorf("stream holds %v: the second change of things/a went out before its refused first", got)
		}
		if !slices.Contains(got, evs[1].ID) {
			t.Errorf("stream holds %v; want the first change of things/b, published beside the refused event", got)
		}
		if n := f.pending(t); n < 2 {
			t.Errorf("Pending while the event is refused = %d; want at least 2 (it and the next change of its resource)", n)
		}

		cfg.MaxMsgSize = -1
		if _, err := f.js.UpdateStream(ctx, cfg); err != nil {
			t.Fatalf("UpdateStream: %v", err)
		}
		f.relay.Notify()
		f.waitPending(t, 0)
		assertOrderPerResource(t, consumeAll(t, f.js, len(evs)), evs)
	})
}

// TestRelayKilledMidBatchLosesAndReordersNothing: a relay whose connection dies while a backlog
// is in flight (as when its process is killed), with the marks of its last acknowledged events
// lost too, is replaced by a new relay: every event reaches the stream once, and each
// resource's events in the order of its changes.
func TestRelayKilledMidBatchLosesAndReordersNothing(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		evs := about(events(3000), "things/a", "things/b", "things/c", "things/d", "things/e")
		f.commit(t, evs...)

		nc, js := f.bus.Connect(t)
		// A publish timeout long enough for a loaded machine: the first relay must fail only
		// at the kill, since its hour of backoff would leave the backlog unsent.
		first := outbox.NewRelay(f.db, js, outbox.RelayOptions{
			Logger: eventbustest.Logger(t), BatchSize: 50, PollInterval: time.Hour,
			MinBackoff: time.Hour, PublishTimeout: 5 * time.Second,
		})
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = first.Run(runCtx) }()
		waitFor(t, "the first relay half way", func() bool { return f.pending(t) < len(evs)/2 })
		nc.Close() // the kill: in-flight publishes and acks are lost
		waitFor(t, "the first relay failing", func() bool {
			var failed int
			if err := f.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE last_error IS NOT NULL`).Scan(&failed); err != nil {
				t.Fatal(err)
			}
			return failed > 0
		})
		stop()
		<-done
		left := f.pending(t)
		if left == 0 {
			t.Fatal("the first relay sent everything before its kill; the test needs a backlog left")
		}
		// The kill also lost the marks of the last events JetStream had acknowledged.
		if _, err := f.db.ExecContext(ctx,
			`UPDATE outbox SET sent_at = NULL WHERE seq IN (SELECT seq FROM outbox WHERE sent_at IS NOT NULL ORDER BY seq DESC LIMIT 30)`); err != nil {
			t.Fatal(err)
		}
		t.Logf("killed with %d events pending, 30 marks lost", left)

		f.run(t)
		f.relay.Notify()
		f.waitPending(t, 0)
		if n := streamMsgs(t, f.js); n != uint64(len(evs)) {
			t.Errorf("stream holds %d messages; want %d, each event once", n, len(evs))
		}
		assertOrderPerResource(t, consumeAll(t, f.js, len(evs)), evs)
	})
}

// TestRelaySurvivesNATSOutageInOrderPerResource commits changes to a few resources while the bus
// is down: they stay pending, and once it is back each goes out once, each resource's in order.
func TestRelaySurvivesNATSOutageInOrderPerResource(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, f *fixture) {
		f.run(t)
		before := about(events(30), "things/a", "things/b", "things/c")
		f.commit(t, before...)
		f.waitPending(t, 0)

		f.bus.Stop()
		during := about(events(40), "things/a", "things/b", "things/c")
		for i := 0; i < len(during); i += 8 {
			f.commit(t, during[i:i+8]...)
		}
		waitFor(t, "failed attempts during the outage", func() bool {
			var attempts int
			if err := f.db.QueryRowContext(context.Background(),
				`SELECT attempts FROM outbox WHERE id = $1`, during[0].ID).Scan(&attempts); err != nil {
				t.Fatal(err)
			}
			return attempts >= 2
		})
		if n := f.pending(t); n != len(during) {
			t.Errorf("Pending during the outage = %d; want %d", n, len(during))
		}

		f.bus.Restart()
		f.waitPending(t, 0)
		all := append(before, during...)
		if n := streamMsgs(t, f.js); n != uint64(len(all)) {
			t.Errorf("stream holds %d messages; want %d", n, len(all))
		}
		assertOrderPerResource(t, consumeAll(t, f.js, len(all)), all)
	})
}

// TestRelayRecoversFromAcksThatNeverCame: while no stream holds the subjects, a plain subscriber
// takes the relay's publishes and never answers. Once the stream is back, the relay publishes
// everything: the publishes left unanswered were given up after PublishTimeout, so they do not
// fill the cap of pending publishes and block the relay until a reconnect.
func TestRelayRecoversFromAcksThatNeverCame(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		if err := f.js.DeleteStream(ctx, eventbus.StreamName); err != nil {
			t.Fatalf("DeleteStream: %v", err)
		}
		nc, _ := f.bus.Connect(t)
		silent, err := nc.Subscribe("vif.test.>", func(*nats.Msg) {})
		if err != nil {
			t.Fatal(err)
		}
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
		f.run(t)
		evs := events(7)
		f.commit(t, evs...)
		// Each attempt leaves a batch of 7 publishes unanswered; the relay holds at most 14.
		waitFor(t, "five unanswered attempts", func() bool {
			var attempts int
			if err := f.db.QueryRowContext(ctx, `SELECT attempts FROM outbox WHERE id = $1`, evs[0].ID).Scan(&attempts); err != nil {
				t.Fatal(err)
			}
			return attempts >= 5
		})
		if err := silent.Unsubscribe(); err != nil {
			t.Fatal(err)
		}
		if _, err := eventbus.EnsureStream(ctx, f.js, eventbus.StreamOptions{}); err != nil {
			t.Fatalf("EnsureStream: %v", err)
		}
		f.waitPending(t, 0)
		assertOrderPerResource(t, consumeAll(t, f.js, len(evs)), evs)
	})
}

// TestStreamOfCommitsGoesOutOnceAndEndsMarked: while writers commit one event per transaction
// and wake the relay after each, as the services do, every event reaches the stream once, each
// resource's in the order of its changes (on SQLite all of them in commit order), and once the
// writers stop every row is marked sent once.
func TestStreamOfCommitsGoesOutOnceAndEndsMarked(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		// Batches of the default size, as the services run it: commits come in fewer at a time.
		f.relay = outbox.NewRelay(f.db, f.js, outbox.RelayOptions{Logger: eventbustest.Logger(t), PollInterval: 50 * time.Millisecond})
		f.run(t)
		const writers, each = 8, 40
		evs := make([][]outbox.Event, writers)
		errs := make([]error, writers)
		var wg sync.WaitGroup
		for w := range writers {
			evs[w] = about(events(each), fmt.Sprintf("things/w%d", w))
			wg.Go(func() {
				for _, ev := range evs[w] {
					if errs[w] = f.db.InTx(ctx, func(tx *sql.Tx) error { return outbox.Add(ctx, tx, ev) }); errs[w] != nil {
						return
					}
					f.relay.Notify()
				}
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("commit: %v", err)
		}
		f.waitPending(t, 0)
		msgs := consumeAll(t, f.js, writers*each)
		assertOrderPerResource(t, msgs, slices.Concat(evs...))
		var committed []string
		rows, err := f.db.QueryContext(ctx, `SELECT id, attempts FROM outbox ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var attempts int
			if err := rows.Scan(&id, &attempts); err != nil {
				t.Fatal(err)
			}
			if attempts != 1 {
				t.Errorf("event %s marked after %d attempts; want 1", id, attempts)
			}
			committed = append(committed, id)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if f.db.Dialect == storage.SQLite {
			assertEachOnce(t, msgs, committed)
		}
	})
}

package outbox_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/eventbus/eventbustest"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
)

// waitTimeout bounds every wait in these tests; a healthy run needs a fraction of it.
const waitTimeout = 20 * time.Second

// fixture is one database with the outbox migrated, one embedded NATS server with the VIF stream,
// and a relay between them tuned to react in milliseconds.
type fixture struct {
	db    *storage.DB
	bus   *eventbustest.Server
	js    jetstream.JetStream
	relay *outbox.Relay
}

// forEachDatabase runs fn in a subtest per available engine, each with a fresh fixture.
func forEachDatabase(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			fn(t, newFixture(t, d.DB))
		})
	}
}

func newFixture(t *testing.T, db *storage.DB) *fixture {
	t.Helper()
	if err := storage.Migrate(context.Background(), db, outbox.Migrations, "goose_outbox"); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	bus := eventbustest.Start(t)
	js := bus.JetStream(t)
	return &fixture{db: db, bus: bus, js: js, relay: newRelay(t, db, js)}
}

func newRelay(t *testing.T, db *storage.DB, js jetstream.JetStream) *outbox.Relay {
	return outbox.NewRelay(db, js, outbox.RelayOptions{
		Logger:         eventbustest.Logger(t),
		BatchSize:      7, // smaller than the larger tests, so they cross batch boundaries
		PollInterval:   50 * time.Millisecond,
		MinBackoff:     10 * time.Millisecond,
		MaxBackoff:     100 * time.Millisecond,
		PublishTimeout: 250 * time.Millisecond,
	})
}

// run starts the relay and returns a channel closed when Run returns. The relay is stopped, and
// Run's nil result checked, when the test ends.
func (f *fixture) run(t *testing.T) <-chan struct{} {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var runErr error
	go func() {
		defer close(done)
		runErr = f.relay.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
			if runErr != nil {
				t.Errorf("Run after cancel = %v; want nil", runErr)
			}
		case <-time.After(waitTimeout):
			t.Errorf("Run did not return %v after cancel", waitTimeout)
		}
	})
	return done
}

// commit adds events in one committed transaction and wakes the relay.
func (f *fixture) commit(t *testing.T, events ...outbox.Event) {
	t.Helper()
	ctx := context.Background()
	err := f.db.InTx(ctx, func(tx *sql.Tx) error {
		for _, ev := range events {
			if err := outbox.Add(ctx, tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("commit %d events: %v", len(events), err)
	}
	f.relay.Notify()
}

func (f *fixture) pending(t *testing.T) int {
	t.Helper()
	n, err := f.relay.Pending(context.Background())
	if err != nil {
		t.Fatalf("Pending: %v", err)
	}
	return n
}

// waitPending polls until want events are pending.
func (f *fixture) waitPending(t *testing.T, want int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("Pending = %d", want), func() bool { return f.pending(t) == want })
}

// waitFor polls cond until it holds, failing t after waitTimeout.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", waitTimeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// events returns n valid events with ascending ids, their payloads saying "event i", each
// about a resource of its own (as creations are), so that the relay publishes them together.
func events(n int) []outbox.Event {
	evs := make([]outbox.Event, n)
	for i := range evs {
		id := outbox.NewID()
		evs[i] = outbox.Event{
			ID:       id,
			Subject:  "vif.test.v1.thing.created",
			Source:   "/vif/test",
			Resource: "things/" + strings.ToLower(id),
			Time:     time.Date(2026, 11, 25, 10, 0, i, 0, time.UTC),
			Payload:  wrapperspb.String(fmt.Sprintf("event %d", i)),
		}
	}
	return evs
}

// about returns evs with event i about resources[i % len(resources)]: several changes to each of
// a few resources, interleaved.
func about(evs []outbox.Event, resources ...string) []outbox.Event {
	for i := range evs {
		evs[i].Resource = resources[i%len(resources)]
	}
	return evs
}

// assertOrderPerResource checks that msgs hold every event of want, and that the events of each
// resource come in their order in want (the order of its changes), a copy after its first
// delivery aside.
func assertOrderPerResource(t *testing.T, msgs []jetstream.Msg, want []outbox.Event) {
	t.Helper()
	resourceOf := make(map[string]string, len(want))
	wantOrder := make(map[string][]string)
	for _, ev := range want {
		resourceOf[ev.ID] = ev.Resource
		wantOrder[ev.Resource] = append(wantOrder[ev.Resource], ev.ID)
	}
	gotOrder := make(map[string][]string)
	seen := make(map[string]bool)
	for _, msg := range msgs {
		id := msg.Headers().Get(eventbus.HeaderID)
		res, ok := resourceOf[id]
		if !ok {
			t.Errorf("unexpected event %q", id)
			continue
		}
		if got := msg.Headers().Get(eventbus.HeaderSubject); got != res {
			t.Errorf("event %q: ce-subject = %q; want %q", id, got, res)
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		gotOrder[res] = append(gotOrder[res], id)
	}
	for res, ids := range wantOrder {
		if !slices.Equal(gotOrder[res], ids) {
			t.Errorf("events of %s delivered as %v; want %v", res, gotOrder[res], ids)
		}
	}
}

// streamIDs returns the ce-id of every message in the VIF stream, in stream order, without
// consuming them.
func streamIDs(t *testing.T, js jetstream.JetStream) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, eventbus.StreamName)
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatalf("stream Info: %v", err)
	}
	var out []string
	for seq := info.State.FirstSeq; info.State.Msgs > 0 && seq <= info.State.LastSeq; seq++ {
		msg, err := s.GetMsg(ctx, seq)
		if err != nil {
			t.Fatalf("GetMsg(%d): %v", seq, err)
		}
		out = append(out, msg.Header.Get(eventbus.HeaderID))
	}
	return out
}

func ids(evs []outbox.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.ID
	}
	return out
}

// consumeAll reads the whole stream through a durable consumer with explicit acks, acking each
// message, until want messages arrived, then checks that nothing more follows. It returns the
// messages in stream order.
func consumeAll(t *testing.T, js jetstream.JetStream, want int) []jetstream.Msg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	cons, err := js.CreateOrUpdateConsumer(ctx, eventbus.StreamName, jetstream.ConsumerConfig{
		Durable:       "test-reader",
		AckPolicy:     jetstream.AckExplicitPolicy,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		t.Fatalf("CreateOrUpdateConsumer: %v", err)
	}
	var got []jetstream.Msg
	for len(got) < want && ctx.Err() == nil {
		batch, err := cons.Fetch(want-len(got), jetstream.FetchMaxWait(time.Second))
		if err != nil {
			t.Fatalf("Fetch: %v", err)
		}
		for msg := range batch.Messages() {
			if err := msg.DoubleAck(ctx); err != nil {
				t.Fatalf("ack: %v", err)
			}
			got = append(got, msg)
		}
		if err := batch.Error(); err != nil && ctx.Err() == nil {
			t.Fatalf("Fetch: %v", err)
		}
	}
	if len(got) < want {
		t.Fatalf("consumer got %d messages before the deadline; want %d", len(got), want)
	}
	extra, err := cons.Fetch(1, jetstream.FetchMaxWait(200*time.Millisecond))
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	for msg := range extra.Messages() {
		t.Errorf("unexpected extra message %s (ce-id %q)", msg.Subject(), msg.Headers().Get(eventbus.HeaderID))
	}
	return got
}

// assertEachOnce checks that msgs carry exactly the ids in want, each once, in that order.
func assertEachOnce(t *testing.T, msgs []jetstream.Msg, want []string) {
	t.Helper()
	got := make([]string, len(msgs))
	seen := make(map[string]int)
	for i, msg := range msgs {
		got[i] = msg.Headers().Get(eventbus.HeaderID)
		seen[got[i]]++
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("event %q delivered %d times; want once", id, n)
		}
	}
	for _, id := range want {
		if seen[id] == 0 {
			t.Errorf("event %q never delivered", id)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("delivery order = %v; want %v", got, want)
	}
}

// streamMsgs returns how many messages the VIF stream holds.
func streamMsgs(t *testing.T, js jetstream.JetStream) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, eventbus.StreamName)
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatalf("stream Info: %v", err)
	}
	return info.State.Msgs
}

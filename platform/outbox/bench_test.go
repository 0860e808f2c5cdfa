package outbox_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/eventbus/eventbustest"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
)

// backlog is the size of the backlog BenchmarkRelayDrain drains.
const backlog = 10_000

// benchFixture is a database with the outbox, an embedded NATS server with the VIF stream, a
// relay with its default options (what the services run), and a core subscription on the
// subjects the benchmarks publish, standing for a subscriber.
type benchFixture struct {
	db    *storage.DB
	js    jetstream.JetStream
	async jetstream.JetStream // js with room for a whole backlog of async publishes in flight
	relay *outbox.Relay
	msgs  chan *nats.Msg
}

func newBenchFixture(b *testing.B, db *storage.DB) *benchFixture {
	b.Helper()
	if err := storage.Migrate(context.Background(), db, outbox.Migrations, "goose_outbox"); err != nil {
		b.Fatal(err)
	}
	bus := eventbustest.Start(b)
	nc, js := bus.Connect(b)
	if _, err := eventbus.EnsureStream(context.Background(), js, eventbus.StreamOptions{}); err != nil {
		b.Fatal(err)
	}
	msgs := make(chan *nats.Msg, 2*backlog)
	if _, err := nc.ChanSubscribe("vif.bench.>", msgs); err != nil {
		b.Fatal(err)
	}
	async, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(backlog))
	if err != nil {
		b.Fatal(err)
	}
	return &benchFixture{db: db, js: js, async: async, relay: outbox.NewRelay(db, js, outbox.RelayOptions{}), msgs: msgs}
}

func (f *benchFixture) runRelay(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = f.relay.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done })
}

func benchEvent(i int) outbox.Event {
	return outbox.Event{
		ID: outbox.NewID(), Subject: "vif.bench.v1.thing.created", Source: "/vif/bench",
		Time: time.Now(), Payload: wrapperspb.String(fmt.Sprintf("event %d", i)),
	}
}

// rawMsg is what the relay publishes for ev, headers included, for the raw publishes of the floor.
func rawMsg(ev outbox.Event) *nats.Msg {
	msg := nats.NewMsg(ev.Subject)
	msg.Data, _ = proto.Marshal(ev.Payload)
	msg.Header.Set(jetstream.MsgIDHeader, ev.ID)
	msg.Header.Set(eventbus.HeaderType, ev.Subject)
	msg.Header.Set(eventbus.HeaderSource, ev.Source)
	msg.Header.Set(eventbus.HeaderID, ev.ID)
	return msg
}

func (f *benchFixture) receive(b *testing.B, n int) {
	b.Helper()
	timeout := time.After(time.Minute)
	for range n {
		select {
		case <-f.msgs:
		case <-timeout:
			b.Fatalf("subscriber waited a minute for %d events", n)
		}
	}
}

// BenchmarkRelayLatency is commit → subscriber: one event written with outbox.WriteTx (which
// wakes the relay), timed until a subscriber holds it, against a raw JetStream publish of the
// same message timed until the subscriber holds it. p50 of each, sequential.
func BenchmarkRelayLatency(b *testing.B) {
	for _, d := range storagetest.Databases(b) {
		b.Run(d.Name, func(b *testing.B) {
			f := newBenchFixture(b, d.DB)
			f.runRelay(b)
			ctx := context.Background()
			var viaRelay, raw []time.Duration
			i := 0
			for b.Loop() {
				i++
				start := time.Now()
				err := outbox.WriteTx(ctx, f.db, func(ev outbox.Event) (outbox.Event, error) { return ev, nil }, f.relay.Notify,
					func(*sql.Tx) ([]outbox.Event, error) { return []outbox.Event{benchEvent(i)}, nil })
				if err != nil {
					b.Fatal(err)
				}
				f.receive(b, 1)
				viaRelay = append(viaRelay, time.Since(start))

				start = time.Now()
				if _, err := f.js.PublishMsg(ctx, rawMsg(benchEvent(i)), jetstream.WithExpectStream(eventbus.StreamName)); err != nil {
					b.Fatal(err)
				}
				f.receive(b, 1)
				raw = append(raw, time.Since(start))
			}
			relay, floor := median(viaRelay), median(raw)
			b.ReportMetric(float64(relay.Nanoseconds())/1000, "relay-p50-µs")
			b.ReportMetric(float64(floor.Nanoseconds())/1000, "raw-publish-p50-µs")
			b.ReportMetric(float64(relay)/float64(floor), "relay/raw")
		})
	}
}

// BenchmarkRelayDrain is the drain rate of a backlog of 10,000 committed events (the relay
// started once they are all in the outbox, timed until the subscriber holds the last one),
// against 10,000 raw JetStream async publishes of the same messages awaited to the last ack.
// An iteration is one backlog of each.
func BenchmarkRelayDrain(b *testing.B) {
	for _, d := range storagetest.Databases(b) {
		b.Run(d.Name, func(b *testing.B) {
			f := newBenchFixture(b, d.DB)
			ctx := context.Background()
			var relayTime, rawTime time.Duration
			for b.Loop() {
				b.StopTimer()
				err := f.db.InTx(ctx, func(tx *sql.Tx) error {
					for i := range backlog {
						if err := outbox.Add(ctx, tx, benchEvent(i)); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				relay := outbox.NewRelay(f.db, f.js, outbox.RelayOptions{})
				runCtx, cancel := context.WithCancel(ctx)
				done := make(chan struct{})
				b.StartTimer()
				start := time.Now()
				go func() { defer close(done); _ = relay.Run(runCtx) }()
				f.receive(b, backlog)
				relayTime += time.Since(start)
				cancel()
				<-done

				msgs := make([]*nats.Msg, backlog)
				for i := range msgs {
					msgs[i] = rawMsg(benchEvent(i))
				}
				start = time.Now()
				for _, m := range msgs {
					if _, err := f.async.PublishMsgAsync(m, jetstream.WithExpectStream(eventbus.StreamName)); err != nil {
						b.Fatal(err)
					}
				}
				select {
				case <-f.async.PublishAsyncComplete():
				case <-time.After(time.Minute):
					b.Fatal("async publishes not acknowledged within a minute")
				}
				f.receive(b, backlog)
				rawTime += time.Since(start)
			}
			relayRate := float64(b.N*backlog) / relayTime.Seconds()
			rawRate := float64(b.N*backlog) / rawTime.Seconds()
			b.ReportMetric(relayRate, "relay-events/s")
			b.ReportMetric(rawRate, "raw-async-events/s")
			b.ReportMetric(relayRate/rawRate, "relay/raw")
		})
	}
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

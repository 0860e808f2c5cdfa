package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/storage"
)

// Relay defaults.
const (
	DefaultBatchSize      = 100
	DefaultPollInterval   = time.Second
	DefaultMinBackoff     = 100 * time.Millisecond
	DefaultMaxBackoff     = 30 * time.Second
	DefaultRetention      = 7 * 24 * time.Hour
	DefaultPublishTimeout = 5 * time.Second
)

const (
	// pruneInterval spaces the deletions of old sent rows: retention is counted in days, so
	// pruning more often would only cost queries.
	pruneInterval = time.Hour
	// pruneChunk bounds each delete, so that on SQLite the write lock is held briefly and writers
	// are never queued behind a large clean-up.
	pruneChunk = 1000
	// markTimeout bounds the bookkeeping writes, which run even while Run is being cancelled.
	markTimeout = 5 * time.Second
	// maxErrorLen keeps last_error readable and the row small.
	maxErrorLen = 1000
	// finishTimeout bounds the last pass Run makes once told to stop, so a bus that fails just
	// then cannot hold a shutdown.
	finishTimeout = 2 * time.Second
)

// RelayOptions tunes a Relay; zero values take the defaults.
type RelayOptions struct {
	Logger *slog.Logger
	// BatchSize is how many rows are read per query; 0 means 100.
	BatchSize int
	// PollInterval is the fallback when nobody calls Notify; 0 means 1 s.
	PollInterval time.Duration
	// MinBackoff and MaxBackoff bound the wait between retries while publishing fails; 0 means
	// 100 ms and 30 s. MaxBackoff must stay well below the stream's duplicate window (2 min).
	MinBackoff, MaxBackoff time.Duration
	// Retention is how long sent rows are kept (for inspection) before being deleted; 0 means
	// 7 days.
	Retention time.Duration
	// PublishTimeout bounds the wait for the acks of the events published together (a wave,
	// see Run); 0 means 5 s.
	PublishTimeout time.Duration
	// Now is the clock stamping sent_at and judging retention; nil means time.Now.
	Now func() time.Time
}

// ErrPublishTimeout is the failure of an event that JetStream did not acknowledge within
// RelayOptions.PublishTimeout.
var ErrPublishTimeout = errors.New("outbox: no acknowledgement from JetStream in time")

// Relay publishes committed outbox rows to JetStream.
//
// Run exactly one relay per database: the relay publishes in outbox order only because it is the
// only reader of the queue. A crash between a publish and marking its row sent republishes the
// row when the relay comes back; the copy carries the same Nats-Msg-Id, and JetStream's
// duplicate window (2 min) drops it if the relay is back within the window. Later, the stream
// stores the copy, and subscribers drop it by its ce-id (eventbus/dedup).
//
// Events are published asynchronously, a batch at a time, and marked sent in one statement once
// JetStream has acknowledged them; an event is only published once every earlier event of its
// resource (Event.Resource) is acknowledged. Order is seq order while JetStream acknowledges
// everything. When it refuses or loses one event, events of other resources published with it
// may be stored before its retry; events of one resource never are. On SQLite, with one writer at a time, that is commit order. On PostgreSQL
// identity values are taken at insert, so two concurrent transactions can commit in the other
// order and the relay may publish the higher seq first; the lower one is still published (the
// relay asks for every unsent row, not for rows past a high-water mark). Events of one aggregate
// keep their order because the transactions changing that aggregate serialise on its row, and
// the relay keeps it as said above.
type Relay struct {
	db      *storage.DB
	js      jetstream.JetStream
	o       RelayOptions
	log     *slog.Logger
	wake    chan struct{}
	metrics relayMetrics
	// deferMarks holds back the marks of a drain while commits keep coming (SQLite; see drain).
	deferMarks bool
}

// NewRelay returns a relay from db's outbox to js. Nothing happens until Run.
func NewRelay(db *storage.DB, js jetstream.JetStream, o RelayOptions) *Relay {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = DefaultMinBackoff
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = o.MinBackoff
	}
	if o.Retention <= 0 {
		o.Retention = DefaultRetention
	}
	if o.PublishTimeout <= 0 {
		o.PublishTimeout = DefaultPublishTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Relay{
		db:         db,
		js:         publisher(js, o),
		o:          o,
		log:        o.Logger.With("component", "outbox-relay"),
		wake:       make(chan struct{}, 1),
		metrics:    newRelayMetrics(),
		deferMarks: db != nil && db.Dialect == storage.SQLite,
	}
}

// publisher returns the JetStream context the relay publishes through: its own, on js's
// connection, so that a publish whose ack never comes (a subscriber that is not a stream took
// it, a server that lost it) is dropped after PublishTimeout instead of staying among the
// pending async publishes, which are capped: once the cap is reached every publish would fail
// until a reconnect. Publishing uses none of js's options (its domain or API prefix address API
// requests only).
func publisher(js jetstream.JetStream, o RelayOptions) jetstream.JetStream {
	if js == nil || js.Conn() == nil {
		return js
	}
	nc := js.Conn()
	own, err := jetstream.New(nc,
		jetstream.WithPublishAsyncTimeout(o.PublishTimeout),
		// A batch in flight, and the stragglers of the previous one whose timeout is running out.
		jetstream.WithPublishAsyncMaxPending(2*o.BatchSize))
	if err != nil {
		return js
	}
	return own
}

// Notify wakes the relay after a commit so events go out at once rather than at the next poll.
// It never blocks, and calls made while the relay is busy coalesce into one more pass.
func (r *Relay) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Pending returns how many events wait to be published or marked sent: on SQLite, while commits
// stream in, it also counts the acknowledged rows whose marks the relay holds back (fewer than
// a batch; see drain).
func (r *Relay) Pending(ctx context.Context) (int, error) {
	var n int
	if err := r.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("outbox: count pending: %w", err)
	}
	return n, nil
}

// Run publishes pending events in outbox order until ctx ends, then returns nil. Each event
// becomes a message on its subject with Nats-Msg-Id = event id and CloudEvents headers; its row
// is marked sent once JetStream acknowledges it. Each batch (BatchSize rows) goes out in waves
// of asynchronous publishes whose acks are awaited together; a wave ends before an event whose
// resource already has one in it. While NATS, the stream or the database is unavailable, Run
// logs and retries the oldest unsent events with capped, jittered exponential backoff: it never
// publishes an event ahead of an unacknowledged earlier event of its resource (that would break
// its order) and never holds a transaction open across a publish (that would block writers).
//
// When ctx ends, Run makes one last pass (bounded by 2 s) unless publishing was failing: a
// server stops its relay once it has drained its calls, and the events those calls committed go
// out now rather than at the next start.
func (r *Relay) Run(ctx context.Context) error {
	r.log.Info("outbox relay started")
	defer r.log.Info("outbox relay stopped")
	var failures int
	var lastPrune time.Time
	for {
		err := r.drain(ctx)
		if ctx.Err() != nil {
			if failures == 0 {
				r.finish(ctx)
			}
			return nil
		}
		var wait time.Duration
		if err != nil {
			failures++
			wait = r.backoff(failures)
			r.log.Warn("outbox relay: publish failed, will retry", "err", err, "failures", failures, "retry_in", wait)
		} else {
			if failures > 0 {
				r.log.Info("outbox relay: publishing again", "after_failures", failures)
				failures = 0
			}
			if now := r.o.Now(); now.Sub(lastPrune) >= pruneInterval {
				if err := r.prune(ctx, now.Add(-r.o.Retention)); err != nil {
					r.log.Warn("outbox relay: prune failed", "err", err)
				} else {
					lastPrune = now
				}
			}
			wait = r.o.PollInterval
		}
		// While backing off, Notify must not cut the wait short: a busy writer would otherwise turn
		// the backoff into a hot loop against a bus that is down.
		if !r.sleep(ctx, wait, err == nil) {
			if err == nil {
				r.finish(ctx)
			}
			return nil
		}
	}
}

// finish publishes what committed since the last pass, after ctx has ended.
func (r *Relay) finish(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	if err := r.drain(ctx); err != nil {
		r.log.Warn("outbox relay: last pass before stopping failed; the rest goes out on the next start", "err", err)
	}
}

func (r *Relay) sleep(ctx context.Context, d time.Duration, wakeable bool) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	var wake <-chan struct{}
	if wakeable {
		wake = r.wake
	}
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
	case <-wake:
	}
	return true
}

// backoff returns the wait after the n-th consecutive failure: exponential from MinBackoff,
// capped at MaxBackoff, with equal jitter (half fixed, half random) so the wait still grows but
// relays restarted together do not retry in lockstep.
func (r *Relay) backoff(n int) time.Duration {
	d := r.o.MaxBackoff
	if shift := n - 1; shift < 32 {
		if b := r.o.MinBackoff << shift; b > 0 && b < d {
			d = b
		}
	}
	return d/2 + rand.N(d/2+1)
}

// row is an unsent outbox row.
type row struct {
	seq        int64
	id         string
	subject    string
	source     string
	resource   string
	dataSchema string
	occurredAt time.Time
	payload    []byte
	writtenAt  sql.NullTime
	// traceParent is the W3C traceparent of the call that wrote the row, when it was traced.
	traceParent sql.NullString
}

// drain publishes batches until the outbox is empty or a publish fails.
//
// On SQLite the marks of acknowledged rows are held back while commits keep waking the relay,
// and written together once BatchSize rows are held or the drain ends: each mark is a write,
// which takes the single writer from the services, and under a stream of writes a pass
// publishes only the few rows committed during the previous one. The next fetch reads past the
// held rows (seq > the last held seq), which on SQLite misses nothing: its one writer at a time
// gives seq in commit order. A crash before the mark republishes the held rows (fewer than
// BatchSize) besides the acknowledged rows of the pass under way, which JetStream's duplicate
// window and the subscribers' dedup by ce-id drop, as for a crash between a publish and its
// mark. On PostgreSQL a transaction can commit a lower seq later, so every pass marks its rows
// and reads every unsent row again.
func (r *Relay) drain(ctx context.Context) error {
	var held []row // acknowledged, not yet marked sent
	for {
		var after int64
		if len(held) > 0 {
			after = held[len(held)-1].seq
		}
		batch, err := r.fetch(ctx, after)
		if err != nil {
			return errors.Join(err, r.markSent(ctx, held))
		}
		if len(batch) == 0 {
			return r.markSent(ctx, held)
		}
		acked, failed := r.publishBatch(ctx, batch)
		held = append(held, acked...)
		more := len(batch) == r.o.BatchSize || (failed == nil && r.deferMarks && r.woken())
		// Acknowledged rows are marked even when the batch stopped early or ctx ended, so that a
		// restart does not republish more than it must (a copy would be dropped, but costs a trip).
		if failed != nil || !r.deferMarks || !more || len(held) >= r.o.BatchSize {
			if err := r.markSent(ctx, held); err != nil {
				return err
			}
			held = held[:0]
		}
		if failed != nil {
			if ctx.Err() == nil {
				r.recordFailure(ctx, failed.row, failed.err)
			}
			return fmt.Errorf("publish %s (seq %d) on %s: %w", failed.id, failed.seq, failed.subject, failed.err)
		}
		if !more {
			return nil
		}
	}
}

// woken takes a pending Notify, if any: a commit since the relay last looked.
func (r *Relay) woken() bool {
	select {
	case <-r.wake:
		return true
	default:
		return false
	}
}

// inFlight is a row published asynchronously, waiting for JetStream's acknowledgement.
type inFlight struct {
	row
	ack jetstream.PubAckFuture
	end func(error) // ends the publish's span (traceSend) with its outcome
}

// publishFailure is the oldest row of a batch that JetStream did not acknowledge.
type publishFailure struct {
	row
	err error
}

// publishBatch publishes batch asynchronously, in seq order, and returns the rows JetStream
// acknowledged and the oldest that it did not (nil when all were).
//
// The rows go out in waves: a wave is published without waiting, then its acknowledgements are
// awaited together. A row whose resource already has a row in the current wave starts the next
// wave, so that a row is published only once every earlier row of its resource is acknowledged:
// if JetStream refuses or loses one message of a wave, the retry cannot land it after a later
// event of the same resource. Rows without a resource share the key "" and so go out one per
// wave. After a wave with a failure no further wave starts: its acknowledged rows are returned
// (other resources, which the failure does not order) and the rest wait for the retry.
func (r *Relay) publishBatch(ctx context.Context, batch []row) (acked []row, failed *publishFailure) {
	acked = make([]row, 0, len(batch))
	wave := make([]inFlight, 0, len(batch))
	resources := make(map[string]struct{}, len(batch))
	for _, ev := range batch {
		if _, seen := resources[ev.resource]; seen {
			acked, failed = r.await(ctx, wave, acked)
			if failed != nil {
				return acked, failed
			}
			wave = wave[:0]
			clear(resources)
		}
		if err := ctx.Err(); err != nil {
			acked, failed = r.await(ctx, wave, acked)
			if failed == nil {
				failed = &publishFailure{row: ev, err: err}
			}
			return acked, failed
		}
		// WithExpectStream makes the server refuse the message unless it lands in VIF, so a stray
		// stream that also matches the subject cannot swallow it unnoticed. No retries by the
		// client: it would republish each message on its own timer, in any order, even after
		// this wave was given up; the relay retries the batch instead.
		msg := ev.message()
		_, end := ev.traceSend(ctx, msg)
		fut, err := r.js.PublishMsgAsync(msg, jetstream.WithExpectStream(eventbus.StreamName), jetstream.WithRetryAttempts(0))
		if err != nil {
			end(err)
			if ctx.Err() == nil {
				r.metrics.failures.Inc()
			}
			acked, failed = r.await(ctx, wave, acked)
			if failed == nil {
				failed = &publishFailure{row: ev, err: err}
			}
			return acked, failed
		}
		wave = append(wave, inFlight{row: ev, ack: fut, end: end})
		resources[ev.resource] = struct{}{}
	}
	return r.await(ctx, wave, acked)
}

// await waits for the acknowledgements of wave, at most PublishTimeout in all, appends the
// acknowledged rows to acked, and returns the oldest row that was not acknowledged. A duplicate
// acknowledgement counts as one: the event is in the stream, from an earlier attempt.
func (r *Relay) await(ctx context.Context, wave []inFlight, acked []row) ([]row, *publishFailure) {
	if len(wave) == 0 {
		return acked, nil
	}
	timer := time.NewTimer(r.o.PublishTimeout)
	defer timer.Stop()
	var failed *publishFailure
	fail := func(p inFlight, err error) {
		p.end(err)
		if ctx.Err() == nil {
			r.metrics.failures.Inc()
		}
		if failed == nil {
			failed = &publishFailure{row: p.row, err: err}
		}
	}
	expired, cancelled := false, false
	for _, p := range wave {
		switch {
		case expired:
			fail(p, ErrPublishTimeout)
			continue
		case cancelled:
			fail(p, ctx.Err())
			continue
		}
		select {
		case <-p.ack.Ok():
			p.end(nil)
			if p.writtenAt.Valid {
				r.metrics.lag.Observe(time.Since(p.writtenAt.Time).Seconds())
			}
			acked = append(acked, p.row)
		case err := <-p.ack.Err():
			fail(p, err)
		case <-timer.C:
			expired = true
			fail(p, ErrPublishTimeout)
		case <-ctx.Done():
			cancelled = true
			fail(p, ctx.Err())
		}
	}
	return acked, failed
}

// fetchQuery is fetch's statement, a constant so that it runs prepared (storage.QueryPrepared).
const fetchQuery = `SELECT seq, id, subject, source, resource, data_schema, occurred_at, payload, written_at, trace_parent FROM outbox WHERE sent_at IS NULL AND seq > $1 ORDER BY seq LIMIT $2`

// fetch reads the oldest unsent rows past seq after (0 for all of them). The rows are read into
// memory and the query closed before anything is published, so no read stays open across
// network calls.
func (r *Relay) fetch(ctx context.Context, after int64) ([]row, error) {
	rows, err := r.db.QueryPrepared(ctx, fetchQuery, after, r.o.BatchSize)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var batch []row
	for rows.Next() {
		var ev row
		if err := rows.Scan(&ev.seq, &ev.id, &ev.subject, &ev.source, &ev.resource, &ev.dataSchema, &ev.occurredAt, &ev.payload, &ev.writtenAt, &ev.traceParent); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		batch = append(batch, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return batch, nil
}

// message is ev as a NATS message in CloudEvents binary content mode (the NATS protocol binding,
// section 3.1): the payload as the body, each attribute as a "ce-" header whose value is
// percent-encoded as the binding requires, and the event id as Nats-Msg-Id for JetStream.
func (ev row) message() *nats.Msg {
	msg := nats.NewMsg(ev.subject)
	msg.Data = ev.payload
	set := func(name, value string) { msg.Header.Set(name, eventbus.EncodeHeaderValue(value)) }
	msg.Header.Set(jetstream.MsgIDHeader, ev.id)
	set(eventbus.HeaderSpecVersion, eventbus.SpecVersion)
	set(eventbus.HeaderID, ev.id)
	set(eventbus.HeaderType, ev.subject)
	set(eventbus.HeaderSource, ev.source)
	set(eventbus.HeaderTime, ev.occurredAt.UTC().Format(time.RFC3339Nano))
	if ev.resource != "" {
		set(eventbus.HeaderSubject, ev.resource)
	}
	schema := ev.dataSchema
	if !strings.Contains(schema, "/") {
		// Rows written by this package hold the message name; the header carries its URI.
		schema = eventbus.DataSchema(protoreflect.FullName(schema))
	}
	set(eventbus.HeaderDataSchema, schema)
	set(eventbus.HeaderDataContentType, eventbus.ContentTypeProtobuf)
	return msg
}

// markSent records the acknowledged rows in one statement. It outlives a cancelled ctx for a
// moment, so that a shutdown right after a publish does not leave the row to be sent again.
func (r *Relay) markSent(ctx context.Context, acked []row) error {
	if len(acked) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	var query strings.Builder
	query.WriteString(`UPDATE outbox SET sent_at = $1, attempts = attempts + 1 WHERE seq IN (`)
	args := make([]any, 0, 1+len(acked))
	args = append(args, r.o.Now().UTC())
	for i, ev := range acked {
		if i > 0 {
			query.WriteString(", ")
		}
		args = append(args, ev.seq)
		query.WriteString("$" + strconv.Itoa(len(args)))
	}
	query.WriteString(")")
	if _, err := r.db.ExecContext(ctx, query.String(), args...); err != nil {
		return fmt.Errorf("mark %d events sent: %w", len(acked), err)
	}
	return nil
}

// recordFailure notes the failed attempt on the row, for whoever inspects a stuck outbox. Its
// own failure is only logged: the publish error is what Run reports.
func (r *Relay) recordFailure(ctx context.Context, ev row, pubErr error) {
	msg := pubErr.Error()
	if len(msg) > maxErrorLen {
		msg = msg[:maxErrorLen]
	}
	_, err := r.db.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = $1 WHERE seq = $2`, msg, ev.seq)
	if err != nil && !errors.Is(err, context.Canceled) {
		r.log.Warn("outbox relay: record failed attempt", "id", ev.id, "err", err)
	}
}

// prune deletes rows sent before cutoff, a chunk at a time.
func (r *Relay) prune(ctx context.Context, cutoff time.Time) error {
	for {
		res, err := r.db.ExecContext(ctx,
			`DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE sent_at < $1 ORDER BY seq LIMIT $2)`,
			cutoff.UTC(), pruneChunk)
		if err != nil {
			return fmt.Errorf("prune outbox: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("prune outbox: %w", err)
		}
		if n > 0 {
			r.log.Debug("outbox relay: pruned sent events", "count", n)
		}
		if n < pruneChunk {
			return nil
		}
	}
}

package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
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
	// PublishTimeout bounds the wait for one JetStream ack; 0 means 5 s.
	PublishTimeout time.Duration
	// Now is the clock stamping sent_at and judging retention; nil means time.Now.
	Now func() time.Time
}

// Relay publishes committed outbox rows to JetStream.
//
// Run exactly one relay per database: the relay publishes in outbox order only because it is the
// only reader of the queue. A crash between a publish and marking its row sent republishes the
// row when the relay comes back; the copy carries the same Nats-Msg-Id, and JetStream's
// duplicate window (2 min) drops it if the relay is back within the window. Later, the stream
// stores the copy, and subscribers drop it by its ce-id (eventbus/dedup).
//
// Order is seq order. On SQLite, with one writer at a time, that is commit order. On PostgreSQL
// identity values are taken at insert, so two concurrent transactions can commit in the other
// order and the relay may publish the higher seq first; the lower one is still published (the
// relay asks for every unsent row, not for rows past a high-water mark). Events of one aggregate
// keep their order because the transactions changing that aggregate serialise on its row.
type Relay struct {
	db      *storage.DB
	js      jetstream.JetStream
	o       RelayOptions
	log     *slog.Logger
	wake    chan struct{}
	metrics relayMetrics
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
		db:      db,
		js:      js,
		o:       o,
		log:     o.Logger.With("component", "outbox-relay"),
		wake:    make(chan struct{}, 1),
		metrics: newRelayMetrics(),
	}
}

// Notify wakes the relay after a commit so events go out at once rather than at the next poll.
// It never blocks, and calls made while the relay is busy coalesce into one more pass.
func (r *Relay) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Pending returns how many events wait to be published.
func (r *Relay) Pending(ctx context.Context) (int, error) {
	var n int
	if err := r.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("outbox: count pending: %w", err)
	}
	return n, nil
}

// Run publishes pending events in outbox order until ctx ends, then returns nil. Each event
// becomes a message on its subject with Nats-Msg-Id = event id and CloudEvents headers; its row
// is marked sent once JetStream acknowledges it. While NATS, the stream or the database is
// unavailable, Run logs and retries the oldest unsent event with capped, jittered exponential
// backoff: it never skips an event (that would break order) and never holds a transaction open
// across a publish (that would block writers).
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
}

// drain publishes batches until the outbox is empty or a publish fails.
func (r *Relay) drain(ctx context.Context) error {
	for {
		batch, err := r.fetch(ctx)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		sent := 0
		var pubErr error
		for _, ev := range batch {
			if pubErr = r.publish(ctx, ev); pubErr != nil {
				if ctx.Err() == nil {
					r.metrics.failures.Inc()
				}
				break
			}
			if ev.writtenAt.Valid {
				r.metrics.lag.Observe(time.Since(ev.writtenAt.Time).Seconds())
			}
			sent++
		}
		// Published rows are marked even when the batch stopped early or ctx ended, so that a
		// restart does not republish more than it must (a copy would be dropped, but costs a trip).
		if err := r.markSent(ctx, batch[:sent]); err != nil {
			return err
		}
		if pubErr != nil {
			if ctx.Err() == nil {
				r.recordFailure(ctx, batch[sent], pubErr)
			}
			return fmt.Errorf("publish %s (seq %d) on %s: %w", batch[sent].id, batch[sent].seq, batch[sent].subject, pubErr)
		}
		if len(batch) < r.o.BatchSize {
			return nil
		}
	}
}

// fetch reads the oldest unsent rows. The rows are read into memory and the query closed before
// anything is published, so no read stays open across network calls.
func (r *Relay) fetch(ctx context.Context) ([]row, error) {
	rows, err := r.db.QueryContext(ctx,
		`SELECT seq, id, subject, source, resource, data_schema, occurred_at, payload, written_at FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT $1`,
		r.o.BatchSize)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var batch []row
	for rows.Next() {
		var ev row
		if err := rows.Scan(&ev.seq, &ev.id, &ev.subject, &ev.source, &ev.resource, &ev.dataSchema, &ev.occurredAt, &ev.payload, &ev.writtenAt); err != nil {
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

func (r *Relay) publish(ctx context.Context, ev row) error {
	msg := ev.message()

	ctx, cancel := context.WithTimeout(ctx, r.o.PublishTimeout)
	defer cancel()
	// WithExpectStream makes the server refuse the message unless it lands in VIF, so a stray
	// stream that also matches the subject cannot swallow it unnoticed. A duplicate ack counts as
	// success: the event is in the stream, from an earlier attempt.
	_, err := r.js.PublishMsg(ctx, msg, jetstream.WithExpectStream(eventbus.StreamName))
	return err
}

// markSent records the published rows in one transaction. It outlives a cancelled ctx for a
// moment, so that a shutdown right after a publish does not leave the row to be sent again.
func (r *Relay) markSent(ctx context.Context, published []row) error {
	if len(published) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	now := r.o.Now().UTC()
	err := r.db.InTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `UPDATE outbox SET sent_at = $1, attempts = attempts + 1 WHERE seq = $2`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, ev := range published {
			if _, err := stmt.ExecContext(ctx, now, ev.seq); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mark %d events sent: %w", len(published), err)
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

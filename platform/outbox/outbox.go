// Package outbox makes "a change and its event" one atomic fact. A service writes the event into
// the outbox table in the same transaction as the change (Add); a Relay later publishes the
// committed rows to NATS JetStream in outbox order. An event is never published for a change that
// rolled back, and never lost for one that committed, whatever the bus is doing at the time.
//
// Delivery is at least once from the relay and exactly once into the stream: every message
// carries the event id as Nats-Msg-Id, and the stream's de-duplication window drops a copy that
// a retry publishes again.
package outbox

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"
	"google.golang.org/protobuf/proto"

	"github.com/vif71/vif/platform/telemetry"
)

//go:embed migrations
var migrations embed.FS

// Migrations holds the goose migrations of the outbox table (storage.Migrate); a service applies
// them with storage.Migrate(ctx, db, outbox.Migrations, "goose_outbox") beside its own.
var Migrations fs.FS = mustSub(migrations, "migrations")

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // only a broken embed pattern gets here
	}
	return sub
}

// Event is one change to publish. Subject is also the CloudEvents type, e.g.
// "vif.directory.v1.organisation.created".
type Event struct {
	ID      string
	Subject string
	Source  string // e.g. "/vif/directory"
	// Resource is the resource name of what changed, e.g. "cessions/c-12": the CloudEvents
	// subject (ce-subject), so a subscriber can filter or key its work without decoding the
	// payload. Every vif service sets it; an event without one goes out without ce-subject.
	Resource string
	Time     time.Time
	Payload  proto.Message
}

// ErrInvalidEvent is wrapped by the error Add returns for an event it refuses.
var ErrInvalidEvent = errors.New("outbox: invalid event")

// entropy is shared so that ids made in the same millisecond still sort in creation order; the
// lock makes the monotonic reader safe across goroutines.
var entropy = &ulid.LockedMonotonicReader{MonotonicReader: ulid.Monotonic(rand.Reader, 0)}

// NewID returns a new ULID: sortable by time, monotonic within a millisecond, with
// crypto-random entropy so ids cannot be guessed. It suits event ids.
func NewID() string {
	return ulid.MustNew(ulid.Now(), entropy).String()
}

// Add writes ev into the outbox inside tx, the transaction that makes the change: the change and
// its event commit together or not at all. The payload is stored as protobuf binary beside its
// full message name, which ce-dataschema names (eventbus.DataSchema). Time is stored in UTC at microsecond precision,
// the finest both engines keep, so ce-time is the same whichever database is behind. When
// tracing is on, the traceparent of the span ctx carries is stored too, and the relay sends it.
func Add(ctx context.Context, tx *sql.Tx, ev Event) error {
	return add(ctx, tx.ExecContext, ev)
}

// insertEvent is Add's statement, a constant so that WriteTx runs it prepared (storage.ExecTx).
const insertEvent = `INSERT INTO outbox (id, subject, source, resource, data_schema, occurred_at, payload, written_at, trace_parent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`

func add(ctx context.Context, exec func(ctx context.Context, query string, args ...any) (sql.Result, error), ev Event) error {
	if err := ev.validate(); err != nil {
		return err
	}
	payload, err := proto.Marshal(ev.Payload)
	if err != nil {
		return fmt.Errorf("outbox: marshal payload of %s: %w", ev.ID, err)
	}
	schema := string(ev.Payload.ProtoReflect().Descriptor().FullName())
	// The trace context of the call making the change, when it is traced: the relay's publish
	// continues that trace. NULL when tracing is off (no span on ctx).
	var traceParent sql.NullString
	if telemetry.Enabled() {
		traceParent.String = telemetry.Traceparent(ctx)
		traceParent.Valid = traceParent.String != ""
	}
	_, err = exec(ctx, insertEvent,
		ev.ID, ev.Subject, ev.Source, ev.Resource, schema, ev.Time.UTC().Truncate(time.Microsecond), payload,
		// The wall clock, not ev.Time (a domain time, possibly from an injected clock): the relay
		// measures the commit -> publish lag from it.
		time.Now().UTC().Truncate(time.Microsecond), traceParent)
	if err != nil {
		return fmt.Errorf("outbox: add %s: %w", ev.ID, err)
	}
	return nil
}

// forbidden are refused in subjects, ids and sources: NATS splits a subject on white space, a
// line break would cut a header, and ids and sources are URI-like tokens that never hold spaces.
const forbidden = " \t\r\n"

func (ev Event) validate() error {
	invalid := func(format string, a ...any) error {
		return fmt.Errorf("%w %q: %s", ErrInvalidEvent, ev.ID, fmt.Sprintf(format, a...))
	}
	switch {
	case ev.ID == "" || strings.ContainsAny(ev.ID, forbidden):
		// The id travels as the Nats-Msg-Id and ce-id headers, where a line break would cut it.
		return invalid("empty id or id with white space")
	case !validSubject(ev.Subject):
		return invalid("subject %q is not a NATS subject under vif.", ev.Subject)
	case ev.Source == "" || strings.ContainsAny(ev.Source, forbidden):
		// CloudEvents requires a source; an event without one cannot be traced to its service.
		return invalid("empty source or source with white space")
	case strings.ContainsAny(ev.Resource, forbidden):
		// Resource names are slash-separated ids (AIP-122), never white space.
		return invalid("resource name %q with white space", ev.Resource)
	case ev.Time.IsZero():
		return invalid("zero time")
	case ev.Payload == nil || !ev.Payload.ProtoReflect().IsValid():
		return invalid("nil payload")
	}
	return nil
}

// validSubject accepts a concrete subject under "vif.": wildcards or empty tokens would make the
// publish fail at relay time, long after the writer could have been told.
func validSubject(s string) bool {
	tokens := strings.Split(s, ".")
	if len(tokens) < 2 || tokens[0] != "vif" {
		return false
	}
	for _, tok := range tokens {
		if tok == "" || tok == "*" || tok == ">" || strings.ContainsAny(tok, forbidden) {
			return false
		}
	}
	return true
}

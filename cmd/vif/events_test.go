package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/eventbus/eventbustest"
	"github.com/vif71/vif/platform/grpcserver/grpctest"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
)

// tailWait bounds every wait in these tests; a healthy run needs a fraction of it.
const tailWait = 20 * time.Second

func noEnv(string) string { return "" }

// tailOutput is what tail prints, safe to read while tail writes.
type tailOutput struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *tailOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *tailOutput) lines() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.FieldsFunc(o.buf.String(), func(r rune) bool { return r == '\n' })
}

// tailBus is an embedded NATS server with the VIF stream, fed through the real outbox and relay,
// so events carry exactly the headers the services send.
type tailBus struct {
	bus   *eventbustest.Server
	js    jetstream.JetStream
	db    *storage.DB
	relay *outbox.Relay
}

func newTailBus(t *testing.T) *tailBus {
	t.Helper()
	bus := eventbustest.Start(t)
	js := bus.JetStream(t)
	db := storagetest.SQLite(t)
	if err := storage.Migrate(context.Background(), db, outbox.Migrations, "goose_outbox"); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	relay := outbox.NewRelay(db, js, outbox.RelayOptions{
		Logger:       eventbustest.Logger(t),
		PollInterval: 20 * time.Millisecond,
		MinBackoff:   10 * time.Millisecond,
		MaxBackoff:   100 * time.Millisecond,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		relay.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return &tailBus{bus: bus, js: js, db: db, relay: relay}
}

// publish commits events to the outbox and waits until the relay has put them in the stream.
func (b *tailBus) publish(t *testing.T, events ...outbox.Event) {
	t.Helper()
	ctx := context.Background()
	err := b.db.InTx(ctx, func(tx *sql.Tx) error {
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
	b.relay.Notify()
	pollTail(t, "the relay to publish every event", func() bool {
		n, err := b.relay.Pending(ctx)
		return err == nil && n == 0
	})
}

// waitSettled waits until the consumer has delivered every message and had every one acked.
// tail prints before it acks, so once this holds every line it will print is printed.
func (b *tailBus) waitSettled(t *testing.T, durable string) {
	t.Helper()
	pollTail(t, "consumer "+durable+" to have no pending and no unacknowledged message", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		c, err := b.js.Consumer(ctx, eventbus.StreamName, durable)
		if err != nil {
			return false
		}
		info, err := c.Info(ctx)
		return err == nil && info.NumPending == 0 && info.NumAckPending == 0 && info.NumRedelivered == 0
	})
}

var tailClock = time.Date(2025, 3, 12, 9, 30, 0, 123456000, time.UTC)

func organisationCreated(id, displayName string) outbox.Event {
	return outbox.Event{
		ID:      outbox.NewID(),
		Subject: "vif.directory.v1.organisation.created",
		Source:  "/vif/directory",
		Time:    tailClock,
		Payload: &directoryv1.OrganisationCreated{Organisation: &directoryv1.Organisation{
			Name:        "organisations/" + id,
			DisplayName: displayName,
			Kind:        directoryv1.OrganisationKind_ORGANISATION_KIND_ISCG,
		}},
	}
}

func organisationDeleted(id string) outbox.Event {
	return outbox.Event{
		ID:      outbox.NewID(),
		Subject: "vif.directory.v1.organisation.deleted",
		Source:  "/vif/directory",
		Time:    tailClock,
		Payload: &directoryv1.OrganisationDeleted{Name: "organisations/" + id},
	}
}

// startTail runs `vif events tail args...` until the returned stop is called (or the test ends);
// stop checks that tail returned nil.
func startTail(t *testing.T, args ...string) (*tailOutput, func()) {
	t.Helper()
	out := &tailOutput{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"events", "tail"}, args...), noEnv, out) }()
	stopped := false
	stop := func() {
		t.Helper()
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("vif events tail %v returned %v after cancel; want nil", args, err)
			}
		case <-time.After(tailWait):
			t.Errorf("vif events tail %v still running %v after cancel", args, tailWait)
		}
	}
	t.Cleanup(stop)
	return out, stop
}

func waitLines(t *testing.T, out *tailOutput, n int) []string {
	t.Helper()
	pollTail(t, fmt.Sprintf("%d lines from tail", n), func() bool { return len(out.lines()) >= n })
	return out.lines()
}

func pollTail(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if !grpctest.Within(tailWait, 10*time.Millisecond, cond) {
		t.Fatalf("gave up waiting %v for %s", tailWait, what)
	}
}

// checkLine checks one printed line against the event it should show.
func checkLine(t *testing.T, line string, ev outbox.Event, wantInJSON string) {
	t.Helper()
	fields := strings.SplitN(line, " ", 4)
	if len(fields) != 4 {
		t.Fatalf("line %q has %d fields; want time, subject, id, payload", line, len(fields))
	}
	if want := ev.Time.UTC().Format(time.RFC3339Nano); fields[0] != want {
		t.Errorf("line %q: time %q; want %q", line, fields[0], want)
	}
	if fields[1] != ev.Subject {
		t.Errorf("line %q: subject %q; want %q", line, fields[1], ev.Subject)
	}
	if fields[2] != ev.ID {
		t.Errorf("line %q: id %q; want %q", line, fields[2], ev.ID)
	}
	if !strings.HasPrefix(fields[3], "{") || !strings.Contains(fields[3], wantInJSON) {
		t.Errorf("line %q: payload %q; want JSON holding %s", line, fields[3], wantInJSON)
	}
}

func TestEventsTailPrintsAcknowledgesAndResumes(t *testing.T) {
	b := newTailBus(t)
	first := []outbox.Event{
		organisationCreated("iscg-louhannais", "ISCG du Louhannais"),
		organisationCreated("cidff-71", "CIDFF de Saône-et-Loire"),
		organisationCreated("france-victimes-71", "France Victimes 71"),
	}
	b.publish(t, first...)

	out, stop := startTail(t, "--nats-url", b.bus.URL, "--nats-creds", b.bus.Creds(eventbus.Reader))
	lines := waitLines(t, out, 3)
	for i, ev := range first {
		org := ev.Payload.(*directoryv1.OrganisationCreated).Organisation
		checkLine(t, lines[i], ev, fmt.Sprintf(`"displayName":%q`, org.DisplayName))
	}
	// The default durable is derived from the default subject, vif.>.
	b.waitSettled(t, "tail-vif-all")
	stop()

	second := []outbox.Event{
		organisationCreated("mission-locale-chalon", "Mission locale du Chalonnais"),
		organisationDeleted("cidff-71"),
	}
	b.publish(t, second...)
	out, stop = startTail(t, "--nats-url", b.bus.URL, "--nats-creds", b.bus.Creds(eventbus.Reader))
	waitLines(t, out, 2)
	b.waitSettled(t, "tail-vif-all")
	stop()
	lines = out.lines()
	if len(lines) != 2 {
		t.Fatalf("second run printed %d lines; want the 2 events published since the first:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	checkLine(t, lines[0], second[0], `"displayName":"Mission locale du Chalonnais"`)
	checkLine(t, lines[1], second[1], `{"name":"organisations/cidff-71"}`)
}

// cancelAfterFirstLine plays a person pressing Ctrl-C as soon as the first event shows.
type cancelAfterFirstLine struct {
	tailOutput
	cancel context.CancelFunc
}

func (w *cancelAfterFirstLine) Write(p []byte) (int, error) {
	n, err := w.tailOutput.Write(p)
	w.cancel()
	return n, err
}

func TestEventsTailStoppedMidwayGivesBackWhatItFetched(t *testing.T) {
	b := newTailBus(t)
	var published []outbox.Event
	for i := range 5 {
		published = append(published, organisationCreated(fmt.Sprintf("org-%d", i), fmt.Sprintf("Organisation %d", i)))
	}
	b.publish(t, published...)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := &cancelAfterFirstLine{cancel: cancel}
	if err := run(ctx, []string{"events", "tail", "--nats-url", b.bus.URL, "--nats-creds", b.bus.Creds(eventbus.Reader)}, noEnv, first); err != nil {
		t.Fatalf("tail stopped after one line = %v; want nil", err)
	}
	if lines := first.lines(); len(lines) != 1 || !strings.Contains(lines[0], published[0].ID) {
		t.Fatalf("first run printed %q; want event %s alone", lines, published[0].ID)
	}

	// The four events fetched but not printed were given back as the tail stopped, so they come
	// back to the next run before the 30 s ack wait could have released them: waitLines gives up
	// after tailWait (20 s). Redeliveries have no promised order, so only the set is checked.
	out, stop := startTail(t, "--nats-url", b.bus.URL, "--nats-creds", b.bus.Creds(eventbus.Reader))
	waitLines(t, out, 4)
	b.waitSettled(t, "tail-vif-all")
	stop()
	lines := out.lines()
	if len(lines) != 4 {
		t.Fatalf("second run printed %d lines; want 4:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	printed := strings.Join(lines, "\n")
	for _, ev := range published[1:] {
		if strings.Count(printed, ev.ID) != 1 {
			t.Errorf("second run printed event %s %d times; want once:\n%s", ev.ID, strings.Count(printed, ev.ID), printed)
		}
	}
}

func TestEventsTailFiltersBySubject(t *testing.T) {
	b := newTailBus(t)
	created := organisationCreated("cidff-71", "CIDFF de Saône-et-Loire")
	deleted := organisationDeleted("cidff-71")
	later := organisationCreated("iscg-bresse", "ISCG de la Bresse")
	b.publish(t, created, deleted, later)

	// Flags may follow the subject.
	out, stop := startTail(t, "vif.directory.v1.organisation.deleted", "--nats-url", b.bus.URL, "--nats-creds", b.bus.Creds(eventbus.Reader))
	waitLines(t, out, 1)
	b.waitSettled(t, "tail-vif-directory-v1-organisation-deleted")
	stop()
	lines := out.lines()
	if len(lines) != 1 {
		t.Fatalf("tail on organisation.deleted printed %d lines; want 1:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	checkLine(t, lines[0], deleted, `"name":"organisations/cidff-71"`)
}

func TestEventsTailNewSkipsHistoryOnlyWhenCreated(t *testing.T) {
	b := newTailBus(t)
	b.publish(t, organisationCreated("old", "Avant"))

	const durable = "tail-new-test"
	out, stop := startTail(t, "--nats-url", b.bus.URL, "--nats-creds", b.bus.Creds(eventbus.Reader), "--durable", durable, "--new")
	pollTail(t, "consumer "+durable+" to exist", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := b.js.Consumer(ctx, eventbus.StreamName, durable)
		return err == nil
	})
	after := organisationCreated("new", "Après")
	b.publish(t, after)
	waitLines(t, out, 1)
	b.waitSettled(t, durable)
	stop()
	if lines := out.lines(); len(lines) != 1 || !strings.Contains(lines[0], after.ID) {
		t.Fatalf("tail --new printed %q; want only event %s", lines, after.ID)
	}

	// Without --new, the existing durable keeps its place: nothing old comes back.
	next := organisationCreated("next", "Ensuite")
	b.publish(t, next)
	out, stop = startTail(t, "--nats-url", b.bus.URL, "--nats-creds", b.bus.Creds(eventbus.Reader), "--durable", durable)
	waitLines(t, out, 1)
	b.waitSettled(t, durable)
	stop()
	if lines := out.lines(); len(lines) != 1 || !strings.Contains(lines[0], next.ID) {
		t.Fatalf("second run printed %q; want only event %s", lines, next.ID)
	}
}

func TestEventsTailFailsFastWhenNATSIsUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "nats://" + l.Addr().String()
	l.Close() // nothing listens there any more

	ctx, cancel := context.WithTimeout(context.Background(), tailWait)
	defer cancel()
	start := time.Now()
	err = run(ctx, []string{"events", "tail", "--nats-url", url}, noEnv, &tailOutput{})
	if err == nil || !strings.Contains(err.Error(), url) {
		t.Fatalf("tail against %s = %v; want an error naming the URL", url, err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("tail against %s failed after %v; want a few seconds at most", url, took)
	}
}

func TestEventsTailNeedsTheStream(t *testing.T) {
	bus := eventbustest.Start(t) // no EnsureStream: the server has no VIF stream
	ctx, cancel := context.WithTimeout(context.Background(), tailWait)
	defer cancel()
	err := run(ctx, []string{"events", "tail", "--nats-url", bus.URL, "--nats-creds", bus.Creds(eventbus.Reader)}, noEnv, &tailOutput{})
	if err == nil || !strings.Contains(err.Error(), "no stream VIF") {
		t.Fatalf("tail without the stream = %v; want an error saying the stream VIF is missing", err)
	}
}

func TestEventsRefusesBadArguments(t *testing.T) {
	tests := [][]string{
		{"events"},
		{"events", "follow"},
		{"events", "tail", "orders.>"},
		{"events", "tail", "vif.>", "vif.fleet.>"},
	}
	for _, args := range tests {
		if err := run(context.Background(), args, noEnv, &tailOutput{}); err == nil {
			t.Errorf("run(%q) = nil; want an error", args)
		}
	}
}

func TestTailDurable(t *testing.T) {
	tests := []struct{ subject, want string }{
		{"vif.>", "tail-vif-all"},
		{"vif.fleet.>", "tail-vif-fleet-all"},
		{"vif.*.v1.organisation.created", "tail-vif-any-v1-organisation-created"},
		{"vif.fleet.v1.cession.handed_over", "tail-vif-fleet-v1-cession-handed_over"},
	}
	for _, tt := range tests {
		if got := tailDurable(tt.subject); got != tt.want {
			t.Errorf("tailDurable(%q) = %q; want %q", tt.subject, got, tt.want)
		}
	}
}

func TestPayloadJSON(t *testing.T) {
	tests := []struct {
		name, schema string
		data         []byte
		want         string
	}{
		{"known", "https://type.googleapis.com/vif.directory.v1.OrganisationDeleted", []byte("\n\x10organisations/ab"), `{"name":"organisations/ab"}`},
		{"known, bare name (events before the type URL)", "vif.directory.v1.OrganisationDeleted", []byte("\n\x10organisations/ab"), `{"name":"organisations/ab"}`},
		{"unknown schema", "vif.nowhere.v1.Thing", []byte{1, 2, 3}, "(3 bytes of unknown vif.nowhere.v1.Thing)"},
		{"no schema", "", []byte{1, 2}, "(2 bytes, no ce-dataschema)"},
	}
	for _, tt := range tests {
		if got := payloadJSON(tt.schema, tt.data); got != tt.want {
			t.Errorf("%s: payloadJSON(%q, %q) = %q; want %q", tt.name, tt.schema, tt.data, got, tt.want)
		}
	}
}

func TestEventsTailWithoutCredentialsIsRefused(t *testing.T) {
	b := newTailBus(t)
	ctx, cancel := context.WithTimeout(context.Background(), tailWait)
	defer cancel()
	err := run(ctx, []string{"events", "tail", "--nats-url", b.bus.URL, "--data-dir", t.TempDir()}, noEnv, &tailOutput{})
	if err == nil || !strings.Contains(err.Error(), "refused") || !strings.Contains(err.Error(), "vif events credentials") {
		t.Fatalf("tail without credentials = %v; want the refusal, pointing to vif events credentials", err)
	}
}

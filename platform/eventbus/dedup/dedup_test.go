package dedup_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/eventbus/dedup"
	"github.com/vif71/vif/platform/eventbus/eventbustest"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
)

// window is the stream's de-duplication window in this test, short so that it can be outlived.
const window = 2 * time.Second

// TestCopyPastTheWindowIsStoredAndSeenOnce reproduces the relay's worst case: it publishes an
// event, crashes before marking it sent (its row is left unsent, as a crash between the ack and
// the bookkeeping leaves it), and a new relay starts after the stream's duplicate window. Within
// the window the copy is dropped; past it the stream stores a second copy, with the same ce-id,
// as docs/events.md says. A subscriber consuming through a Ledger handles the event once.
func TestCopyPastTheWindowIsStoredAndSeenOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bus := eventbustest.Start(t)
	_, js := bus.ConnectAs(t, "directory")
	if _, err := eventbus.EnsureStream(ctx, js, eventbus.StreamOptions{Duplicates: window}); err != nil {
		t.Fatal(err)
	}
	db := storagetest.SQLite(t)
	if err := storage.Migrate(ctx, db, outbox.Migrations, "goose_outbox"); err != nil {
		t.Fatal(err)
	}
	ev := outbox.Event{
		ID: outbox.NewID(), Subject: "vif.directory.v1.organisation.created", Source: "/vif/directory",
		Time: time.Now(), Payload: wrapperspb.String("created"),
	}
	if err := db.InTx(ctx, func(tx *sql.Tx) error { return outbox.Add(ctx, tx, ev) }); err != nil {
		t.Fatal(err)
	}
	copies := func() uint64 {
		t.Helper()
		s, err := js.Stream(ctx, eventbus.StreamName)
		if err != nil {
			t.Fatal(err)
		}
		info, err := s.Info(ctx, jetstream.WithSubjectFilter(ev.Subject))
		if err != nil {
			t.Fatal(err)
		}
		return info.State.Subjects[ev.Subject]
	}
	// relayOnce runs a fresh relay until the outbox is empty, then forgets that it sent the event,
	// as a relay killed between JetStream's ack and its own commit would.
	relayOnce := func() {
		t.Helper()
		r := outbox.NewRelay(db, js, outbox.RelayOptions{Logger: eventbustest.Logger(t), PollInterval: 10 * time.Millisecond})
		rctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = r.Run(rctx) }()
		for n := 1; n != 0; {
			var err error
			if n, err = r.Pending(ctx); err != nil {
				t.Fatal(err)
			}
			time.Sleep(10 * time.Millisecond)
		}
		stop()
		<-done
		if _, err := db.ExecContext(ctx, `UPDATE outbox SET sent_at = NULL WHERE id = $1`, ev.ID); err != nil {
			t.Fatal(err)
		}
	}

	relayOnce()
	relayOnce() // a restart within the window: the copy is dropped
	if n := copies(); n != 1 {
		t.Fatalf("after a restart within the %v window the stream holds %d copies; want 1", window, n)
	}
	time.Sleep(window + 200*time.Millisecond)
	relayOnce() // a restart past the window: the copy is stored
	if n := copies(); n != 2 {
		t.Fatalf("after a restart past the %v window the stream holds %d copies; want 2 (the documented at-least-once)", window, n)
	}

	// A subscriber, with the read-only identity, sees both copies and handles one.
	_, reader := bus.ConnectAs(t, eventbus.Reader)
	cons, err := reader.CreateOrUpdateConsumer(ctx, eventbus.StreamName, jetstream.ConsumerConfig{
		Durable: "dedup-test", FilterSubject: ev.Subject, AckPolicy: jetstream.AckExplicitPolicy,
	})
	if err != nil {
		t.Fatal(err)
	}
	ledger, err := dedup.NewDirLedger(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	batch, err := cons.Fetch(2, jetstream.FetchMaxWait(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var delivered, handled int
	for msg := range batch.Messages() {
		delivered++
		id := msg.Headers().Get(dedup.HeaderID)
		if id != ev.ID {
			t.Errorf("copy %d has ce-id %q; want %q", delivered, id, ev.ID)
		}
		seen, err := ledger.Seen(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !seen {
			handled++
			if err := ledger.Record(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		if err := msg.Ack(); err != nil {
			t.Fatal(err)
		}
	}
	if delivered != 2 || handled != 1 {
		t.Errorf("delivered %d, handled %d; want 2 copies delivered, 1 handled", delivered, handled)
	}
}

func TestDirLedgerRemembersAcrossReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const id = "01jq3v5k8z6x2b0c9d4e7f1g2h"
	l, err := dedup.NewDirLedger(dir)
	if err != nil {
		t.Fatal(err)
	}
	if seen, err := l.Seen(ctx, id); err != nil || seen {
		t.Fatalf("Seen(%q) on an empty ledger = %v, %v; want false, nil", id, seen, err)
	}
	for range 2 {
		if err := l.Record(ctx, id); err != nil {
			t.Fatalf("Record(%q): %v", id, err)
		}
	}
	again, err := dedup.NewDirLedger(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{id, "01JQ3V5K8Z6X2B0C9D4E7F1G2H"} {
		if seen, err := again.Seen(ctx, v); err != nil || !seen {
			t.Errorf("Seen(%q) after reopening = %v, %v; want true, nil", v, seen, err)
		}
	}
}

func TestDirLedgerRefusesWhatIsNoEventID(t *testing.T) {
	l, err := dedup.NewDirLedger(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"", "../../etc/passwd", "01jq3v5k8z6x2b0c9d4e7f1g2", "01jq3v5k8z6x2b0c9d4e7f1g2h/x"} {
		if err := l.Record(context.Background(), id); !errors.Is(err, dedup.ErrBadID) {
			t.Errorf("Record(%q) = %v; want ErrBadID", id, err)
		}
		if _, err := l.Seen(context.Background(), id); !errors.Is(err, dedup.ErrBadID) {
			t.Errorf("Seen(%q) = %v; want ErrBadID", id, err)
		}
	}
}

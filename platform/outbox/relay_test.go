package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/outbox"
)

func TestRelayPublishesCommittedEvent(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, f *fixture) {
		f.run(t)
		ev := outbox.Event{
			ID:       outbox.NewID(),
			Subject:  "vif.directory.v1.organisation.created",
			Source:   "/vif/directory",
			Resource: "organisations/mairie-macon",
			// Not UTC and finer than a microsecond: ce-time must come out in UTC, at the
			// precision both engines keep.
			Time:    time.Date(2026, 11, 25, 10, 30, 0, 123456789, time.FixedZone("CET", 3600)),
			Payload: wrapperspb.String("Mâcon"),
		}
		f.commit(t, ev)
		f.waitPending(t, 0)

		msgs := consumeAll(t, f.js, 1)
		msg := msgs[0]
		if msg.Subject() != ev.Subject {
			t.Errorf("subject = %q; want %q", msg.Subject(), ev.Subject)
		}
		headers := []struct{ name, want string }{
			{"Nats-Msg-Id", ev.ID},
			{eventbus.HeaderSpecVersion, "1.0"},
			{eventbus.HeaderType, ev.Subject},
			{eventbus.HeaderSource, "/vif/directory"},
			{eventbus.HeaderID, ev.ID},
			{eventbus.HeaderTime, "2026-11-25T09:30:00.123456Z"},
			{eventbus.HeaderSubject, "organisations/mairie-macon"},
			{eventbus.HeaderDataSchema, "https://type.googleapis.com/google.protobuf.StringValue"},
			{eventbus.HeaderDataContentType, "application/protobuf"},
			// Binary mode: no Content-Type header, which would name another attribute or, as
			// application/cloudevents, announce structured mode.
			{"Content-Type", ""},
		}
		for _, h := range headers {
			if got := msg.Headers().Get(h.name); got != h.want {
				t.Errorf("header %s = %q; want %q", h.name, got, h.want)
			}
		}
		var payload wrapperspb.StringValue
		if err := proto.Unmarshal(msg.Data(), &payload); err != nil {
			t.Fatalf("unmarshal payload: %v", err)
		}
		if !proto.Equal(&payload, ev.Payload) {
			t.Errorf("payload = %v; want %v", &payload, ev.Payload)
		}

		var sentAt sql.NullTime
		var attempts int
		err := f.db.QueryRowContext(context.Background(),
			`SELECT sent_at, attempts FROM outbox WHERE id = $1`, ev.ID).Scan(&sentAt, &attempts)
		if err != nil {
			t.Fatalf("read row: %v", err)
		}
		if !sentAt.Valid || attempts != 1 {
			t.Errorf("row sent_at = %v, attempts = %d; want a time and 1", sentAt, attempts)
		}
	})
}

func TestRolledBackTxLeavesNoEvent(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		boom := errors.New("the change failed")
		err := f.db.InTx(ctx, func(tx *sql.Tx) error {
			if err := outbox.Add(ctx, tx, events(1)[0]); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v; want %v", err, boom)
		}
		if n := f.pending(t); n != 0 {
			t.Errorf("Pending after rollback = %d; want 0", n)
		}
		var rows int
		if err := f.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows != 0 {
			t.Errorf("outbox rows after rollback = %d; want 0", rows)
		}
	})
}

func TestAddRejectsInvalidEvent(t *testing.T) {
	valid := events(1)[0]
	with := func(change func(*outbox.Event)) outbox.Event {
		ev := valid
		change(&ev)
		return ev
	}
	var nilPayload *wrapperspb.StringValue
	tests := []struct {
		name string
		ev   outbox.Event
	}{
		{"empty id", with(func(ev *outbox.Event) { ev.ID = "" })},
		{"id with line break", with(func(ev *outbox.Event) { ev.ID = "a\nb" })},
		{"empty subject", with(func(ev *outbox.Event) { ev.Subject = "" })},
		{"subject outside vif", with(func(ev *outbox.Event) { ev.Subject = "other.thing.created" })},
		{"subject vif alone", with(func(ev *outbox.Event) { ev.Subject = "vif." })},
		{"subject with prefix only", with(func(ev *outbox.Event) { ev.Subject = "vifx.thing" })},
		{"subject with wildcard", with(func(ev *outbox.Event) { ev.Subject = "vif.thing.*" })},
		{"subject with tail wildcard", with(func(ev *outbox.Event) { ev.Subject = "vif.>" })},
		{"subject with empty token", with(func(ev *outbox.Event) { ev.Subject = "vif..created" })},
		{"subject with space", with(func(ev *outbox.Event) { ev.Subject = "vif.thing created" })},
		{"empty source", with(func(ev *outbox.Event) { ev.Source = "" })},
		{"zero time", with(func(ev *outbox.Event) { ev.Time = time.Time{} })},
		{"nil payload", with(func(ev *outbox.Event) { ev.Payload = nil })},
		{"typed nil payload", with(func(ev *outbox.Event) { ev.Payload = nilPayload })},
	}
	forEachDatabase(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := f.db.InTx(ctx, func(tx *sql.Tx) error { return outbox.Add(ctx, tx, tt.ev) })
				if !errors.Is(err, outbox.ErrInvalidEvent) {
					t.Errorf("Add(%q, %q) = %v; want %v", tt.ev.ID, tt.ev.Subject, err, outbox.ErrInvalidEvent)
				}
			})
		}
		if n := f.pending(t); n != 0 {
			t.Errorf("Pending after rejected events = %d; want 0", n)
		}
		// The valid event the cases derive from is accepted, so each case fails for its own reason.
		f.commit(t, valid)
		if n := f.pending(t); n != 1 {
			t.Errorf("Pending after a valid event = %d; want 1", n)
		}
	})
}

func TestRelayKeepsOutboxOrder(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, f *fixture) {
		evs := events(50)
		// Several transactions, committed while the relay runs, crossing its batch size.
		f.run(t)
		for i := 0; i < len(evs); i += 10 {
			f.commit(t, evs[i:i+10]...)
		}
		f.waitPending(t, 0)
		msgs := consumeAll(t, f.js, len(evs))
		assertEachOnce(t, msgs, ids(evs))
		for i, msg := range msgs {
			var payload wrapperspb.StringValue
			if err := proto.Unmarshal(msg.Data(), &payload); err != nil {
				t.Fatalf("message %d: unmarshal: %v", i, err)
			}
			if !proto.Equal(&payload, evs[i].Payload) {
				t.Errorf("message %d payload = %v; want %v", i, &payload, evs[i].Payload)
			}
		}
	})
}

func TestRepublishAfterLostMarkIsDeduplicated(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, f *fixture) {
		evs := events(20)
		f.commit(t, evs...)
		f.run(t)
		f.waitPending(t, 0)

		// As if the relay had crashed after publishing but before marking the rows sent.
		if _, err := f.db.ExecContext(context.Background(), `UPDATE outbox SET sent_at = NULL`); err != nil {
			t.Fatalf("reset sent_at: %v", err)
		}
		f.relay.Notify()
		f.waitPending(t, 0)

		if n := streamMsgs(t, f.js); n != uint64(len(evs)) {
			t.Errorf("stream holds %d messages; want %d", n, len(evs))
		}
		assertEachOnce(t, consumeAll(t, f.js, len(evs)), ids(evs))

		var attempts int
		if err := f.db.QueryRowContext(context.Background(), `SELECT MIN(attempts) FROM outbox`).Scan(&attempts); err != nil {
			t.Fatal(err)
		}
		if attempts != 2 {
			t.Errorf("fewest attempts on a row = %d; want 2 (each row was published twice)", attempts)
		}
	})
}

func TestRelayPrunesOldSentRows(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		evs := events(4)
		f.commit(t, evs...)
		// Three rows as if sent long ago, just past retention, and recently; the fourth unsent.
		now := time.Now().UTC()
		sentAt := []time.Time{now.Add(-30 * 24 * time.Hour), now.Add(-outbox.DefaultRetention - time.Minute), now.Add(-time.Hour)}
		for i, at := range sentAt {
			if _, err := f.db.ExecContext(ctx, `UPDATE outbox SET sent_at = $1 WHERE id = $2`, at, evs[i].ID); err != nil {
				t.Fatalf("backdate: %v", err)
			}
		}
		f.run(t) // prunes on its first idle pass, after publishing the unsent row
		waitFor(t, "old rows pruned", func() bool {
			var n int
			if err := f.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n == 2
		})
		rows, err := f.db.QueryContext(ctx, `SELECT id FROM outbox ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var kept []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			kept = append(kept, id)
		}
		if want := ids(evs[2:]); !slices.Equal(kept, want) {
			t.Errorf("rows kept = %v; want the recent and the just-published %v", kept, want)
		}
		if n := f.pending(t); n != 0 {
			t.Errorf("Pending = %d; want 0", n)
		}
	})
}

func TestRunReturnsNilWhenCancelled(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, f *fixture) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- f.relay.Run(ctx) }()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run after cancel = %v; want nil", err)
			}
		case <-time.After(waitTimeout):
			t.Fatalf("Run did not return %v after cancel", waitTimeout)
		}
	})
}

func TestNewIDIsUniqueAndSorted(t *testing.T) {
	prev := ""
	for range 10000 {
		id := outbox.NewID()
		if len(id) != 26 {
			t.Fatalf("NewID() = %q; want 26 characters", id)
		}
		if id <= prev {
			t.Fatalf("NewID() = %q after %q; want strictly increasing", id, prev)
		}
		prev = id
	}
}

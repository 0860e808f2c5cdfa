package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
)

// thingsMigrations hold the table of the changes the WriteTx tests make beside their events.
var thingsMigrations = fstest.MapFS{
	"00001_things.sql": {Data: []byte("-- +goose Up\nCREATE TABLE things (id TEXT PRIMARY KEY);\n")},
}

// thingEvent stands for a service's domain event; WriteTx takes it as a pointer, as the stores do.
type thingEvent struct{ id string }

var errEncode = errors.New("no payload for this event")

// encodeThing is the encoder of thingEvent: the subject "bad subject" is refused by Add, and an
// id "unencodable" by the encoder itself.
func encodeThing(ev *thingEvent) (outbox.Event, error) {
	subject := "vif.test.v1.thing.created"
	switch ev.id {
	case "unencodable":
		return outbox.Event{}, errEncode
	case "invalid":
		subject = "bad subject"
	}
	return outbox.Event{
		ID:      ev.id,
		Subject: subject,
		Source:  "/vif/test",
		Time:    time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
		Payload: wrapperspb.String(ev.id),
	}, nil
}

// writeTxDB is a database with the outbox and the things table, and a count of the committed
// signals WriteTx gave.
type writeTxDB struct {
	db      *storage.DB
	signals int
}

func forEachWriteTxDB(t *testing.T, fn func(t *testing.T, w *writeTxDB)) {
	for _, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			ctx := context.Background()
			if err := storage.Migrate(ctx, d.DB, outbox.Migrations, "goose_outbox"); err != nil {
				t.Fatalf("Migrate outbox: %v", err)
			}
			if err := storage.Migrate(ctx, d.DB, thingsMigrations, "goose_things"); err != nil {
				t.Fatalf("Migrate things: %v", err)
			}
			fn(t, &writeTxDB{db: d.DB})
		})
	}
}

// write inserts the thing id, when not "", and returns events, with WriteTx.
func (w *writeTxDB) write(id string, events ...*thingEvent) error {
	ctx := context.Background()
	return outbox.WriteTx(ctx, w.db, encodeThing, func() { w.signals++ }, func(tx *sql.Tx) ([]*thingEvent, error) {
		if id != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO things (id) VALUES ($1)`, id); err != nil {
				return nil, err
			}
		}
		return events, nil
	})
}

// column reads one text column of a table, in order.
func (w *writeTxDB) column(t *testing.T, query string) []string {
	t.Helper()
	got, err := storage.Collect(context.Background(), w.db, query, nil, func(row storage.Scanner) (string, error) {
		var s string
		err := row.Scan(&s)
		return s, err
	})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return got
}

func (w *writeTxDB) check(t *testing.T, wantThings, wantOutbox []string, wantSignals int) {
	t.Helper()
	if got := w.column(t, `SELECT id FROM things ORDER BY id`); !slices.Equal(got, wantThings) {
		t.Errorf("things = %q; want %q", got, wantThings)
	}
	if got := w.column(t, `SELECT id FROM outbox ORDER BY seq`); !slices.Equal(got, wantOutbox) {
		t.Errorf("outbox = %q; want %q", got, wantOutbox)
	}
	if w.signals != wantSignals {
		t.Errorf("committed called %d times; want %d", w.signals, wantSignals)
	}
}

func TestWriteTxAddsTheEventsWithTheChange(t *testing.T) {
	forEachWriteTxDB(t, func(t *testing.T, w *writeTxDB) {
		if err := w.write("t-1", &thingEvent{"ev-2"}, &thingEvent{"ev-1"}); err != nil {
			t.Fatalf("WriteTx(t-1, two events) = %v", err)
		}
		if err := w.write("t-2", &thingEvent{"ev-3"}); err != nil {
			t.Fatalf("WriteTx(t-2, one event) = %v", err)
		}
		// In the order fn gave them, one signal per transaction.
		w.check(t, []string{"t-1", "t-2"}, []string{"ev-2", "ev-1", "ev-3"}, 2)
	})
}

// TestWriteTxWithoutEventsAddsAndSignalsNothing is how an idempotent replay works: fn finds the
// earlier result, writes nothing and returns no event.
func TestWriteTxWithoutEventsAddsAndSignalsNothing(t *testing.T) {
	forEachWriteTxDB(t, func(t *testing.T, w *writeTxDB) {
		if err := w.write(""); err != nil {
			t.Fatalf("WriteTx(no change, no events) = %v", err)
		}
		if err := w.write("", []*thingEvent{}...); err != nil {
			t.Fatalf("WriteTx(no change, empty events) = %v", err)
		}
		w.check(t, nil, nil, 0)
	})
}

func TestWriteTxRollsBackTheChangeOnAnyError(t *testing.T) {
	forEachWriteTxDB(t, func(t *testing.T, w *writeTxDB) {
		refused := errors.New("refused")
		tests := []struct {
			name string
			run  func() error
			want error
		}{
			{"fn fails", func() error {
				return outbox.WriteTx(context.Background(), w.db, encodeThing, func() { w.signals++ },
					func(tx *sql.Tx) ([]*thingEvent, error) {
						if _, err := tx.ExecContext(context.Background(), `INSERT INTO things (id) VALUES ('t-1')`); err != nil {
							return nil, err
						}
						return []*thingEvent{{"ev-1"}}, refused
					})
			}, refused},
			{"a nil event", func() error { return w.write("t-1", nil) }, outbox.ErrMissingEvent},
			{"a nil event after a good one", func() error { return w.write("t-1", &thingEvent{"ev-1"}, nil) }, outbox.ErrMissingEvent},
			{"the encoder fails", func() error { return w.write("t-1", &thingEvent{"ev-1"}, &thingEvent{"unencodable"}) }, errEncode},
			{"Add refuses the event", func() error { return w.write("t-1", &thingEvent{"ev-1"}, &thingEvent{"invalid"}) }, outbox.ErrInvalidEvent},
		}
		for _, tt := range tests {
			if err := tt.run(); !errors.Is(err, tt.want) {
				t.Errorf("WriteTx with %s = %v; want %v", tt.name, err, tt.want)
			}
		}
		w.check(t, nil, nil, 0)
	})
}

func TestWriteTxWithoutCommittedHook(t *testing.T) {
	forEachWriteTxDB(t, func(t *testing.T, w *writeTxDB) {
		err := outbox.WriteTx(context.Background(), w.db, encodeThing, nil, func(*sql.Tx) ([]*thingEvent, error) {
			return []*thingEvent{{"ev-1"}}, nil
		})
		if err != nil {
			t.Fatalf("WriteTx(nil committed) = %v", err)
		}
		w.check(t, nil, []string{"ev-1"}, 0)
	})
}

func TestRequireEvents(t *testing.T) {
	ev := &thingEvent{"ev-1"}
	tests := []struct {
		events []*thingEvent
		want   error
	}{
		{[]*thingEvent{ev}, nil},
		{[]*thingEvent{ev, {"ev-2"}}, nil},
		{nil, outbox.ErrMissingEvent},
		{[]*thingEvent{}, outbox.ErrMissingEvent},
		{[]*thingEvent{nil}, outbox.ErrMissingEvent},
		{[]*thingEvent{ev, nil}, outbox.ErrMissingEvent},
	}
	for _, tt := range tests {
		if err := outbox.RequireEvents(tt.events); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("RequireEvents(%v) = %v; want %v", tt.events, err, tt.want)
		}
	}
}

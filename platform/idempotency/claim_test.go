package idempotency_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
)

// widgets is the resource table of the tests' store: a create writes a widget and an event row
// in one transaction, as a service's store writes its resource and its outbox event.
var widgets = fstest.MapFS{
	"00001_widgets.sql": {Data: []byte(widgetsSQL)},
}

const widgetsSQL = `-- +goose Up
CREATE TABLE widgets (name TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE widget_events (name TEXT NOT NULL);
-- +goose Down
DROP TABLE widget_events;
DROP TABLE widgets;
`

// forEachDatabase runs fn on a fresh database per engine, with the idempotency and widget tables.
func forEachDatabase(t *testing.T, fn func(t *testing.T, db *storage.DB)) {
	for _, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			ctx := context.Background()
			if err := storage.Migrate(ctx, d.DB, idempotency.Migrations, "goose_idempotency"); err != nil {
				t.Fatalf("Migrate(idempotency): %v", err)
			}
			if err := storage.Migrate(ctx, d.DB, widgets, "goose_widgets"); err != nil {
				t.Fatalf("Migrate(widgets): %v", err)
			}
			fn(t, d.DB)
		})
	}
}

// createWidget is a store's create: claim the key, replay what it names, or write the widget
// and its event. fail, when set, makes the write fail after the claim.
func createWidget(ctx context.Context, db *storage.DB, name, body string, fail error) (got string, created bool, err error) {
	err = db.InTx(ctx, func(tx *sql.Tx) error {
		prev, err := idempotency.Claim(ctx, tx, "widgets/"+name)
		if err != nil {
			return err
		}
		if prev != "" {
			got = prev
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO widgets (name, body) VALUES ($1, $2)`, name, body); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO widget_events (name) VALUES ($1)`, name); err != nil {
			return err
		}
		if fail != nil {
			return fail
		}
		got, created = "widgets/"+name, true
		return nil
	})
	return got, created, err
}

func keyed(caller, parent, requestID, body string) context.Context {
	return idempotency.NewContext(context.Background(), idempotency.Key{
		Caller:      caller,
		Method:      "/vif.test.v1.Widgets/CreateWidget",
		Parent:      parent,
		RequestID:   requestID,
		Fingerprint: []byte("fingerprint of " + body),
	})
}

func count(t *testing.T, db *storage.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

const rid = "0b5e8a9c-3c1f-4d2e-9a57-0f3c2b1d4e6a"

func TestClaimReplaysTheSameRequest(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, db *storage.DB) {
		ctx := keyed("alice", "networks/a", rid, "one")
		first, created, err := createWidget(ctx, db, "w1", "one", nil)
		if err != nil || !created || first != "widgets/w1" {
			t.Fatalf("first create = %q, %v, %v; want widgets/w1, created", first, created, err)
		}
		// The retry would create another widget (a generated id): the key names the first one.
		again, created, err := createWidget(ctx, db, "w2", "one", nil)
		if err != nil || created || again != "widgets/w1" {
			t.Errorf("retry = %q, %v, %v; want widgets/w1, not created", again, created, err)
		}
		if w, e := count(t, db, "widgets"), count(t, db, "widget_events"); w != 1 || e != 1 {
			t.Errorf("after a retry: %d widgets, %d events; want 1, 1", w, e)
		}
	})
}

func TestClaimRefusesTheKeyWithAnotherRequest(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, db *storage.DB) {
		if _, _, err := createWidget(keyed("alice", "networks/a", rid, "one"), db, "w1", "one", nil); err != nil {
			t.Fatalf("first create: %v", err)
		}
		got, created, err := createWidget(keyed("alice", "networks/a", rid, "two"), db, "w2", "two", nil)
		if !errors.Is(err, idempotency.ErrRequestIDReused) || created || got != "" {
			t.Errorf("same key, other body = %q, %v, %v; want %v", got, created, err, idempotency.ErrRequestIDReused)
		}
		if w := count(t, db, "widgets"); w != 1 {
			t.Errorf("%d widgets; want 1", w)
		}
	})
}

func TestClaimScopesTheKeyToCallerMethodAndParent(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, db *storage.DB) {
		if _, _, err := createWidget(keyed("alice", "networks/a", rid, "one"), db, "w1", "one", nil); err != nil {
			t.Fatalf("first create: %v", err)
		}
		otherMethod := idempotency.NewContext(context.Background(), idempotency.Key{
			Caller: "alice", Method: "/vif.test.v1.Widgets/CreateGadget", Parent: "networks/a",
			RequestID: rid, Fingerprint: []byte("fingerprint of one"),
		})
		for _, tt := range []struct {
			what string
			ctx  context.Context
			name string
		}{
			{"another caller", keyed("bob", "networks/a", rid, "one"), "w2"},
			{"another parent", keyed("alice", "networks/b", rid, "one"), "w3"},
			{"another method", otherMethod, "w4"},
			{"another caller with another body", keyed("carol", "networks/a", rid, "two"), "w5"},
		} {
			got, created, err := createWidget(tt.ctx, db, tt.name, "x", nil)
			if err != nil || !created || got != "widgets/"+tt.name {
				t.Errorf("%s, same request_id = %q, %v, %v; want widgets/%s, created", tt.what, got, created, err, tt.name)
			}
		}
		if w := count(t, db, "widgets"); w != 5 {
			t.Errorf("%d widgets; want 5", w)
		}
	})
}

func TestClaimRollsBackWithTheWrite(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, db *storage.DB) {
		ctx := keyed("alice", "networks/a", rid, "one")
		refused := errors.New("refused")
		if _, _, err := createWidget(ctx, db, "w1", "one", refused); !errors.Is(err, refused) {
			t.Fatalf("failing create = %v; want %v", err, refused)
		}
		if k := count(t, db, "idempotency_keys"); k != 0 {
			t.Errorf("a failed write left %d keys; want 0", k)
		}
		// The key was not spent: a retry, even with another body, writes.
		got, created, err := createWidget(keyed("alice", "networks/a", rid, "two"), db, "w1", "two", nil)
		if err != nil || !created || got != "widgets/w1" {
			t.Errorf("retry after a failed write = %q, %v, %v; want widgets/w1, created", got, created, err)
		}
	})
}

func TestClaimWithoutAKeyWritesEveryTime(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, db *storage.DB) {
		for i := range 2 {
			if _, created, err := createWidget(context.Background(), db, fmt.Sprintf("w%d", i), "one", nil); err != nil || !created {
				t.Errorf("create %d without a key = %v, %v; want created", i, created, err)
			}
		}
		if k := count(t, db, "idempotency_keys"); k != 0 {
			t.Errorf("%d keys written without a request_id; want 0", k)
		}
	})
}

func TestClaimConcurrentCallsCreateOnce(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, db *storage.DB) {
		const n = 12
		type result struct {
			got     string
			created bool
			err     error
		}
		results := make([]result, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				body := "one"
				if i%3 == 2 {
					body = "two" // a third of the callers reuse the key with another body
				}
				<-start
				// Each call would create its own widget: only the key makes them one.
				got, created, err := createWidget(keyed("alice", "networks/a", rid, body), db, fmt.Sprintf("w%d", i), body, nil)
				results[i] = result{got, created, err}
			})
		}
		close(start)
		wg.Wait()
		creators, replays, reused := 0, 0, 0
		var winner string
		for i, r := range results {
			switch {
			case r.err == nil && r.created:
				creators++
				winner = r.got
			case r.err == nil:
				replays++
			case errors.Is(r.err, idempotency.ErrRequestIDReused):
				reused++
			default:
				t.Errorf("call %d: %v", i, r.err)
			}
		}
		if creators != 1 || replays+reused != n-1 {
			t.Fatalf("%d creators, %d replays, %d refused; want 1 and %d others", creators, replays, reused, n-1)
		}
		for i, r := range results {
			if r.err == nil && r.got != winner {
				t.Errorf("call %d got %q; want the winner %q", i, r.got, winner)
			}
		}
		if w, e := count(t, db, "widgets"), count(t, db, "widget_events"); w != 1 || e != 1 {
			t.Errorf("%d widgets, %d events; want 1, 1", w, e)
		}
	})
}

package storage_test

import (
	"context"
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/vif71/vif/platform/storage"
)

// thingsSQL declares a table with four unique keys: its primary key, a named one-column
// constraint, a two-column unique index and an optional request id.
const thingsSQL = `-- +goose Up
CREATE TABLE things (
    id         TEXT PRIMARY KEY,
    code       TEXT NOT NULL,
    a          TEXT NOT NULL,
    b          TEXT NOT NULL,
    request_id TEXT,
    CONSTRAINT things_code_key UNIQUE (code)
);
CREATE UNIQUE INDEX things_a_b ON things (a, b);
CREATE UNIQUE INDEX things_request ON things (request_id);
-- +goose Down
DROP TABLE things;
`

var thingsMigrations = fstest.MapFS{
	"00001_things.sql": {Data: []byte(thingsSQL)},
}

var (
	thingKey     = storage.UniqueKey{Postgres: "things_pkey", SQLite: "things.id"}
	thingCodeKey = storage.UniqueKey{Postgres: "things_code_key", SQLite: "things.code"}
	thingABKey   = storage.UniqueKey{Postgres: "things_a_b", SQLite: "things.a, things.b"}
	thingKeys    = []storage.UniqueKey{thingKey, thingCodeKey, thingABKey}
)

func insertThing(db *storage.DB, id string, code any, a, b string, requestID any) error {
	_, err := db.ExecContext(context.Background(), `INSERT INTO things (id, code, a, b, request_id) VALUES ($1, $2, $3, $4, $5)`,
		id, code, a, b, requestID)
	return err
}

func TestUniqueViolationNamesTheKey(t *testing.T) {
	forEachDatabase(t, thingsMigrations, func(t *testing.T, db *storage.DB) {
		if err := insertThing(db, "1", "c1", "x", "y", nil); err != nil {
			t.Fatalf("insert the first thing: %v", err)
		}
		tests := []struct {
			name     string
			err      error
			violated *storage.UniqueKey // nil: not a unique violation
		}{
			{"the same id", insertThing(db, "1", "c2", "x", "z", nil), &thingKey},
			{"the same code", insertThing(db, "2", "c1", "x", "z", nil), &thingCodeKey},
			{"the same a and b", insertThing(db, "3", "c3", "x", "y", nil), &thingABKey},
			{"a NULL code", insertThing(db, "4", nil, "x", "w", nil), nil},
		}
		for _, tt := range tests {
			if tt.err == nil {
				t.Fatalf("insert with %s = nil error; want a constraint violation", tt.name)
			}
			// A store may wrap the error before it is asked; the answer stays the same.
			for _, err := range []error{tt.err, fmt.Errorf("create thing: %w", tt.err)} {
				if got, want := storage.IsUniqueViolation(err), tt.violated != nil; got != want {
					t.Errorf("IsUniqueViolation(%v) with %s = %v; want %v", err, tt.name, got, want)
				}
				for _, k := range thingKeys {
					want := tt.violated != nil && *tt.violated == k
					if got := k.ViolatedBy(err); got != want {
						t.Errorf("%+v.ViolatedBy(%v) with %s = %v; want %v", k, err, tt.name, got, want)
					}
				}
			}
		}
	})
}

func TestNoErrorIsNoUniqueViolation(t *testing.T) {
	if storage.IsUniqueViolation(nil) {
		t.Error("IsUniqueViolation(nil) = true; want false")
	}
	if thingKey.ViolatedBy(nil) {
		t.Errorf("%+v.ViolatedBy(nil) = true; want false", thingKey)
	}
}

// TestNullIfEmptyLetsManyRowsGoWithout is why request ids are stored with NullIfEmpty: under a
// UNIQUE index many rows may hold NULL, but only one may hold "".
func TestNullIfEmptyLetsManyRowsGoWithout(t *testing.T) {
	forEachDatabase(t, thingsMigrations, func(t *testing.T, db *storage.DB) {
		for i := range 3 {
			if err := insertThing(db, fmt.Sprint("null-", i), fmt.Sprint("n", i), "null", fmt.Sprint(i), storage.NullIfEmpty("")); err != nil {
				t.Fatalf("insert thing %d without a request id: %v", i, err)
			}
		}
		if err := insertThing(db, "empty-0", "e0", "empty", "0", ""); err != nil {
			t.Fatalf("insert the first thing with an empty request id: %v", err)
		}
		if err := insertThing(db, "empty-1", "e1", "empty", "1", ""); !storage.IsUniqueViolation(err) {
			t.Errorf("insert a second thing with an empty request id = %v; want a unique violation", err)
		}
	})
}

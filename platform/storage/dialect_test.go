package storage_test

import (
	"testing"

	"github.com/vif71/vif/platform/storage"
)

// TestSQLiteDialect: a migration written for PostgreSQL reads on SQLite with SQLite's
// spelling of each type and clause the migrations use, and nothing else changed, comments
// included.
func TestSQLiteDialect(t *testing.T) {
	for _, c := range []struct{ pg, sqlite string }{
		{`id TEXT COLLATE "C" PRIMARY KEY,`, `id TEXT PRIMARY KEY,`},
		{"post\tTEXT COLLATE \"C\" NOT NULL REFERENCES posts (id),", "post\tTEXT NOT NULL REFERENCES posts (id),"},
		{`seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,`, `seq INTEGER PRIMARY KEY AUTOINCREMENT,`},
		{`revision BIGINT NOT NULL, total_cents BIGINT NOT NULL DEFAULT 0,`, `revision INTEGER NOT NULL, total_cents INTEGER NOT NULL DEFAULT 0,`},
		{`ALTER TABLE organisations ADD COLUMN delete_time TIMESTAMPTZ;`, `ALTER TABLE organisations ADD COLUMN delete_time TIMESTAMP;`},
		{`payload BYTEA NOT NULL,`, `payload BLOB NOT NULL,`},
		{`bigint_count INTEGER, TIMESTAMPTZ_NOTE TEXT`, `bigint_count INTEGER, TIMESTAMPTZ_NOTE TEXT`},
		{"-- +goose Up\n-- Money is BIGINT cents, keys COLLATE \"C\".\nCREATE TABLE t (n BIGINT); -- BIGINT\n",
			"-- +goose Up\n-- Money is BIGINT cents, keys COLLATE \"C\".\nCREATE TABLE t (n INTEGER); -- BIGINT\n"},
	} {
		if got := storage.SQLiteDialect(c.pg); got != c.sqlite {
			t.Errorf("SQLiteDialect(%q) = %q; want %q", c.pg, got, c.sqlite)
		}
	}
}

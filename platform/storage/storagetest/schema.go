package storagetest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vif71/vif/platform/storage"
)

// UpdateSchemaEnv names the variable that, set to 1, makes SchemaParity rewrite its golden file
// from what the SQLite migrations give.
const UpdateSchemaEnv = "VIF_UPDATE_SCHEMA"

// SchemaParity proves that a service's SQLite and PostgreSQL migrations define the same schema:
// the same tables, columns (by type family: text, integer, time, bool, bytes, number, json),
// nullability, primary keys, unique constraints and indexes (their names, columns, uniqueness and
// whether they are partial). migrate migrates the database it is given (the store's Open, which
// also migrates the platform's tables). It migrates a real SQLite and, when a PostgreSQL server
// is configured, a real PostgreSQL, reads both catalogs and compares them line by line. The
// SQLite side is also compared with golden (a file of the same lines, committed beside the test)
// so that without PostgreSQL a change to one engine's migrations alone is still caught: its
// golden then differs from the other engine's in CI. VIF_UPDATE_SCHEMA=1 rewrites golden.
func SchemaParity(t *testing.T, golden string, migrate func(testing.TB, *storage.DB)) {
	t.Helper()
	lite := SQLite(t)
	migrate(t, lite)
	got := Schema(t, lite)
	if os.Getenv(UpdateSchemaEnv) == "1" {
		if err := os.WriteFile(golden, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read %s: %v (VIF_UPDATE_SCHEMA=1 writes it)", golden, err)
	}
	if d := diffLines(strings.Split(strings.TrimSpace(string(want)), "\n"), got); d != "" {
		t.Errorf("the SQLite schema differs from %s (- %s, + SQLite; VIF_UPDATE_SCHEMA=1 rewrites it):\n%s", golden, golden, d)
	}
	if pg := Postgres(t); pg != nil {
		migrate(t, pg)
		if d := diffLines(got, Schema(t, pg)); d != "" {
			t.Errorf("the PostgreSQL schema differs from the SQLite one (- SQLite, + PostgreSQL):\n%s", d)
		}
	}
}

// Schema reads db's catalog into sorted lines, one per table, column, primary key, unique
// constraint and index, in terms both engines share. The migration tools' own tables (goose_*)
// are left out.
func Schema(t testing.TB, db *storage.DB) []string {
	t.Helper()
	var lines []string
	var err error
	if db.Dialect == storage.Postgres {
		lines, err = postgresSchema(context.Background(), db.DB)
	} else {
		lines, err = sqliteSchema(context.Background(), db.DB)
	}
	if err != nil {
		t.Fatalf("read the %s catalog: %v", db.Dialect, err)
	}
	slices.Sort(lines)
	return lines
}

// typeFamily groups declared types the way the stores use them: SQLite's affinity rules, with
// the time and bool families that the drivers convert.
func typeFamily(declared string) string {
	d := strings.ToUpper(declared)
	switch {
	case strings.Contains(d, "JSON"):
		return "json"
	case strings.Contains(d, "TIME"), strings.Contains(d, "DATE"):
		return "time"
	case strings.Contains(d, "BOOL"):
		return "bool"
	case strings.Contains(d, "INT"):
		return "integer"
	case strings.Contains(d, "CHAR"), strings.Contains(d, "CLOB"), strings.Contains(d, "TEXT"):
		return "text"
	case strings.Contains(d, "BLOB"), strings.Contains(d, "BYTEA"):
		return "bytes"
	default:
		return "number(" + strings.ToLower(declared) + ")"
	}
}

func columnLine(table, column, declared string, notNull bool) string {
	null := "null"
	if notNull {
		null = "not null"
	}
	return fmt.Sprintf("column %s.%s %s %s", table, column, typeFamily(declared), null)
}

// indexLine names an index by its columns; an index that backs a constraint (PRIMARY KEY,
// UNIQUE) has no name of its own in SQLite, so only explicit indexes keep theirs.
func indexLine(table, name string, columns []string, unique, partial, constraint, primary bool) string {
	cols := table + "(" + strings.Join(columns, ", ") + ")"
	switch {
	case primary:
		return "primary key " + cols
	case constraint:
		return "unique " + cols
	}
	kind := "index"
	if unique {
		kind = "unique index"
	}
	if partial {
		kind = "partial " + kind
	}
	return kind + " " + name + " on " + cols
}

func queryStrings(ctx context.Context, db *sql.DB, query string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// diffLines lists the lines only in want (-) and only in got (+); "" when they agree.
func diffLines(want, got []string) string {
	var b strings.Builder
	for _, w := range want {
		if !slices.Contains(got, w) {
			b.WriteString("- " + w + "\n")
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			b.WriteString("+ " + g + "\n")
		}
	}
	return b.String()
}

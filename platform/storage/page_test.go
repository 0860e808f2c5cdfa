package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/vif71/vif/platform/storage"
)

// itemID scans the id of an items row.
func itemID(row storage.Scanner) (string, error) {
	var id string
	err := row.Scan(&id)
	return id, err
}

// forEachItems runs fn in a subtest per engine, on a database whose items table holds a to g,
// with n = 1 for a, c, e, g and n = 2 for the others, inserted out of order.
func forEachItems(t *testing.T, fn func(t *testing.T, db *storage.DB)) {
	forEachDatabase(t, migrations, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			items := []struct {
				id string
				n  int
			}{{"e", 1}, {"b", 2}, {"g", 1}, {"a", 1}, {"d", 2}, {"f", 2}, {"c", 1}}
			for i, it := range items {
				if _, err := tx.ExecContext(ctx, `INSERT INTO items (id, n, at) VALUES ($1, $2, $3)`,
					it.id, it.n, time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("insert items: %v", err)
		}
		fn(t, db)
	})
}

func TestReadPageWalksEveryPageOnce(t *testing.T) {
	forEachItems(t, func(t *testing.T, db *storage.DB) {
		tests := []struct {
			filters   map[string]string
			limit     int
			wantPages [][]string
		}{
			{nil, 3, [][]string{{"a", "b", "c"}, {"d", "e", "f"}, {"g"}}},
			{nil, 7, [][]string{{"a", "b", "c", "d", "e", "f", "g"}}},
			{nil, 0, [][]string{{"a", "b", "c", "d", "e", "f", "g"}}}, // no limit: every row
			// An integer filter on an INTEGER column, which PostgreSQL will not compare with text.
			{map[string]string{"n": "1"}, 2, [][]string{{"a", "c"}, {"e", "g"}}},
			{map[string]string{"n": "3"}, 2, [][]string{nil}},
		}
		columns := map[string]storage.FilterColumn{"n": {Column: "n", Integer: true}}
		for _, tt := range tests {
			wantTotal := 0
			for _, p := range tt.wantPages {
				wantTotal += len(p)
			}
			after := ""
			for i, want := range tt.wantPages {
				var w storage.Where
				if err := w.AddFilters("items", tt.filters, columns); err != nil {
					t.Fatalf("AddFilters(%v) = %v", tt.filters, err)
				}
				page, total, err := storage.ReadPage(context.Background(), db, "items", "id", &w, storage.After("id", after),
					"id", tt.limit, itemID)
				if err != nil || !slices.Equal(page, want) || total != wantTotal {
					t.Errorf("ReadPage(%v, after %q, limit %d) = %q, total %d, %v; want %q, total %d (page %d)",
						tt.filters, after, tt.limit, page, total, err, want, wantTotal, i+1)
				}
				if len(page) > 0 {
					after = page[len(page)-1]
				}
			}
		}
	})
}

func TestReadPageReturnsTheResumeError(t *testing.T) {
	forEachItems(t, func(t *testing.T, db *storage.DB) {
		bad := errors.New("bad resume key")
		var w storage.Where
		page, total, err := storage.ReadPage(context.Background(), db, "items", "id", &w,
			func(*storage.Where) error { return bad }, "id", 3, itemID)
		if !errors.Is(err, bad) || page != nil || total != 0 {
			t.Errorf("ReadPage(bad resume key) = %q, %d, %v; want nil, 0, %v", page, total, err, bad)
		}
	})
}

func TestCollect(t *testing.T) {
	forEachItems(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		got, err := storage.Collect(ctx, db, `SELECT id FROM items WHERE n = $1 ORDER BY id DESC`, []any{2}, itemID)
		if want := []string{"f", "d", "b"}; err != nil || !slices.Equal(got, want) {
			t.Errorf("Collect(n = 2) = %q, %v; want %q", got, err, want)
		}
		got, err = storage.Collect(ctx, db, `SELECT id FROM items WHERE n = $1`, []any{3}, itemID)
		if err != nil || got != nil {
			t.Errorf("Collect(no rows) = %#v, %v; want nil, nil", got, err)
		}
		refused := errors.New("refused")
		_, err = storage.Collect(ctx, db, `SELECT id FROM items`, nil, func(storage.Scanner) (string, error) { return "", refused })
		if !errors.Is(err, refused) {
			t.Errorf("Collect(failing scan) = %v; want %v", err, refused)
		}
		if _, err := storage.Collect(ctx, db, `SELECT nothing FROM nowhere`, nil, itemID); err == nil {
			t.Error("Collect(bad query) = nil error; want an error")
		}
	})
}

func TestLimit(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{-1, ""}, {0, ""}, {1, " LIMIT 1"}, {250, " LIMIT 250"}} {
		if got := storage.Limit(tt.n); got != tt.want {
			t.Errorf("Limit(%d) = %q; want %q", tt.n, got, tt.want)
		}
	}
}

package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/vif71/vif/platform/storage"
)

func TestStoredIsUTCToTheMicrosecond(t *testing.T) {
	paris := time.FixedZone("CET", 60*60)
	tests := []struct {
		in, want time.Time
	}{
		{time.Date(2026, 3, 14, 10, 26, 53, 589793238, paris), time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)},
		{time.Date(2026, 3, 14, 9, 26, 53, 999, time.UTC), time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)},
		{time.Date(2026, 3, 14, 9, 26, 53, 1000, time.UTC), time.Date(2026, 3, 14, 9, 26, 53, 1000, time.UTC)},
	}
	for _, tt := range tests {
		got := storage.Stored(tt.in)
		if !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("Stored(%v) = %v; want %v in UTC", tt.in, got, tt.want)
		}
	}
}

// TestStoredTimesReadBackTheSame is why stores keep times as Stored: a time written that way,
// from any zone, reads back equal to itself on every engine.
func TestStoredTimesReadBackTheSame(t *testing.T) {
	forEachDatabase(t, migrations, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		at := storage.Stored(time.Date(2026, 3, 14, 10, 26, 53, 589793238, time.FixedZone("CET", 60*60)))
		if _, err := db.ExecContext(ctx, `INSERT INTO items (id, n, at) VALUES ($1, $2, $3)`, "a", 1, at); err != nil {
			t.Fatalf("insert: %v", err)
		}
		var got time.Time
		if err := db.QueryRowContext(ctx, `SELECT at FROM items WHERE id = $1`, "a").Scan(&got); err != nil {
			t.Fatalf("select: %v", err)
		}
		if !got.Equal(at) {
			t.Errorf("read back %v; want %v", got, at)
		}
	})
}

func TestNullIfEmpty(t *testing.T) {
	if got := storage.NullIfEmpty(""); got != nil {
		t.Errorf(`NullIfEmpty("") = %#v; want nil`, got)
	}
	if got := storage.NullIfEmpty("req-1"); got != "req-1" {
		t.Errorf(`NullIfEmpty("req-1") = %#v; want "req-1"`, got)
	}
}

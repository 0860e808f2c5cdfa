package calendar_test

import (
	"testing"

	"github.com/vif71/vif/platform/calendar"
)

func TestDate(t *testing.T) {
	for _, tt := range []struct {
		d     calendar.Date
		valid bool
		year  int
		next  calendar.Date
	}{
		{"2024-02-28", true, 2024, "2024-02-29"},
		{"2023-02-28", true, 2023, "2023-03-01"},
		{"2025-12-31", true, 2025, "2026-01-01"},
		{"2023-02-29", false, 0, ""},
		{"2024-1-01", false, 0, ""},
		{"", false, 0, ""},
	} {
		if got := tt.d.Valid(); got != tt.valid {
			t.Errorf("Date(%q).Valid() = %v; want %v", tt.d, got, tt.valid)
		}
		if got := tt.d.Year(); got != tt.year {
			t.Errorf("Date(%q).Year() = %d; want %d", tt.d, got, tt.year)
		}
		if got := tt.d.AddDays(1); got != tt.next {
			t.Errorf("Date(%q).AddDays(1) = %q; want %q", tt.d, got, tt.next)
		}
	}
}

package storage_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/vif71/vif/platform/storage"
)

func TestWhereNumbersPlaceholdersInOrder(t *testing.T) {
	var w storage.Where
	if got := w.String(); got != "" {
		t.Errorf("empty Where.String() = %q; want \"\"", got)
	}
	w.Add("kind = ?", "ISCG")
	w.Add("deleted = FALSE")
	w.Add("(network > ? OR (network = ? AND id > ?))", "n", "n", "i")
	w.In("state", []string{"SIGNED", "ACTIVE"})
	want := " WHERE kind = $1 AND deleted = FALSE AND (network > $2 OR (network = $3 AND id > $4)) AND state IN ($5, $6)"
	if got := w.String(); got != want {
		t.Errorf("String() = %q; want %q", got, want)
	}
	if got, want := w.Args(), []any{"ISCG", "n", "n", "i", "SIGNED", "ACTIVE"}; !slices.Equal(got, want) {
		t.Errorf("Args() = %v; want %v", got, want)
	}
}

func TestWhereAddPanicsOnMiscountedArguments(t *testing.T) {
	for _, tt := range []struct {
		cond string
		args []any
	}{
		{"a = ? AND b = ?", []any{1}},
		{"a = ?", []any{1, 2}},
		{"a = 1", []any{1}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Add(%q, %v) did not panic; want a panic", tt.cond, tt.args)
				}
			}()
			var w storage.Where
			w.Add(tt.cond, tt.args...)
		}()
	}
}

func TestAddFilters(t *testing.T) {
	columns := map[string]storage.FilterColumn{
		"kind": {Column: "kind"},
		"year": {Column: "fiscal_year", Integer: true},
		"post": {Column: "post"},
	}
	tests := []struct {
		filters  map[string]string
		want     string
		wantArgs []any
	}{
		{nil, "", nil},
		{map[string]string{"kind": "EPCI"}, " WHERE kind = $1", []any{"EPCI"}},
		// In key order, whatever the map's; an integer filter compares a number.
		{map[string]string{"year": "2024", "post": "p-1", "kind": "EPCI"}, " WHERE kind = $1 AND post = $2 AND fiscal_year = $3",
			[]any{"EPCI", "p-1", int64(2024)}},
		// An empty value does not filter.
		{map[string]string{"kind": "", "year": ""}, "", nil},
	}
	for _, tt := range tests {
		var w storage.Where
		if err := w.AddFilters("funders", tt.filters, columns); err != nil {
			t.Errorf("AddFilters(%v) = %v; want nil", tt.filters, err)
			continue
		}
		if got := w.String(); got != tt.want || !slices.Equal(w.Args(), tt.wantArgs) {
			t.Errorf("AddFilters(%v) = %q %v; want %q %v", tt.filters, got, w.Args(), tt.want, tt.wantArgs)
		}
	}
	for _, filters := range []map[string]string{
		{"colour": "blue"},              // a key the list does not have
		{"colour": ""},                  // even without a value
		{"year": "MMXXIV"},              // not a number
		{"year": fmt.Sprint(1 << 31)},   // not an int32
		{"kind": "EPCI", "year": "20x"}, // one bad filter spoils the lot
	} {
		var w storage.Where
		if err := w.AddFilters("funders", filters, columns); err == nil {
			t.Errorf("AddFilters(%v) = nil error, %q; want an error", filters, w.String())
		}
	}
}

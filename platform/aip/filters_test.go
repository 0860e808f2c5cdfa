package aip

import (
	"maps"
	"slices"
	"testing"
)

// TestFiltersValues: a List's filter reaches the store only as validated values (an enum without
// its prefix, a resource name as its id); a refused value is a violation of "filter".
func TestFiltersValues(t *testing.T) {
	filters := Filters{
		"state":        OneOf("STATE_", []string{"OPEN", "CLOSED"}),
		"organisation": IDOf("organisations/"),
		"make":         Text,
	}
	if got, want := filters.Fields(), []string{"make", "organisation", "state"}; !slices.Equal(got, want) {
		t.Fatalf("Fields() = %v; want %v", got, want)
	}
	tests := []struct {
		expr      string
		want      map[string]string
		wantField string
	}{
		{`state = "STATE_OPEN" AND organisation = "organisations/caf-71"`, map[string]string{"state": "OPEN", "organisation": "caf-71"}, ""},
		{`state = "CLOSED" AND make = "Renault"`, map[string]string{"state": "CLOSED", "make": "Renault"}, ""},
		{`state = "STATE_LOST"`, nil, "filter"},
		{`organisation = "networks/chalonnais"`, nil, "filter"},
	}
	for _, tt := range tests {
		list, err := ParseList("List", "", tt.expr, "", 0, filters.Fields()...)
		if err != nil {
			t.Fatalf("ParseList(%q) = %v", tt.expr, err)
		}
		got, err := filters.Values(list)
		if tt.wantField != "" {
			if violatedField(err) != tt.wantField {
				t.Errorf("Values(%q) = %v, %v; want a violation of %q", tt.expr, got, err, tt.wantField)
			}
			continue
		}
		if err != nil || !maps.Equal(got, tt.want) {
			t.Errorf("Values(%q) = %v, %v; want %v", tt.expr, got, err, tt.want)
		}
	}
}

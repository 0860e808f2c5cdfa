package filter

import (
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	allowed := []string{"kind", "commune"}
	tests := []struct {
		expr string
		want []Condition
	}{
		{"", nil},
		{"   ", nil},
		{`kind = "ORGANISATION_KIND_ISCG"`, []Condition{{"kind", "ORGANISATION_KIND_ISCG"}}},
		{`kind=ORGANISATION_KIND_CAF`, []Condition{{"kind", "ORGANISATION_KIND_CAF"}}},
		{`kind = "A" AND commune = "communes/71076"`, []Condition{{"kind", "A"}, {"commune", "communes/71076"}}},
		{`commune = "with \"quote\""`, []Condition{{"commune", `with "quote"`}}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.expr, allowed...)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) = %v, %v; want %v, nil", tt.expr, got, err, tt.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, expr := range []string{
		`name = "x"`,               // unknown field
		`kind`,                     // incomplete
		`kind =`,                   // missing value
		`kind = "A" commune = "B"`, // missing AND
		`kind != "A"`,              // unsupported operator
		`kind = "A" OR commune = "B"`,
		`kind = "A" AND kind = "B"`,
		`kind = "unterminated`,
		`"kind" = "A"`,
		`kind = "A" AND`,
		`kind = AND`,
	} {
		if got, err := Parse(expr, "kind", "commune"); err == nil {
			t.Errorf("Parse(%q) = %v, nil; want an error", expr, got)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(`kind = "A" AND commune = "B"`)
	f.Add(`kind="\"`)
	f.Fuzz(func(t *testing.T, expr string) {
		conds, err := Parse(expr, "kind", "commune")
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, c := range conds {
			if c.Field != "kind" && c.Field != "commune" {
				t.Fatalf("Parse(%q) accepted field %q", expr, c.Field)
			}
			if seen[c.Field] {
				t.Fatalf("Parse(%q) accepted %q twice", expr, c.Field)
			}
			seen[c.Field] = true
		}
	})
}

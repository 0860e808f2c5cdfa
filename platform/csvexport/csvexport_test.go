package csvexport_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/vif71/vif/platform/csvexport"
)

func TestNeutralise(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"},
		{"+33 3 85 00 00 00", "'+33 3 85 00 00 00"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"ISCG du Louhannais", "ISCG du Louhannais"},
		{"14850.00", "14850.00"},
		{"a=b", "a=b"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := csvexport.Neutralise(tt.in); got != tt.want {
			t.Errorf("Neutralise(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestWriterReadBack writes dangerous cells and reads the file back with a real CSV reader: every
// cell that would start a formula starts with a quote and keeps the rest, others are unchanged.
func TestWriterReadBack(t *testing.T) {
	record := []string{"=1+1", "+1", "-1", "@A1", "\tx", "\rx", "plain, with a comma", "line\nbreak", `"quoted"`}
	var buf bytes.Buffer
	w := csvexport.NewWriter(&buf)
	if err := w.Write(record); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(got) != 1 || len(got[0]) != len(record) {
		t.Fatalf("read back = %q, %v; want one record of %d cells", got, err, len(record))
	}
	for i, cell := range got[0] {
		want := record[i]
		if i < 6 {
			want = "'" + record[i]
		}
		if cell != want {
			t.Errorf("cell %d read back = %q; want %q", i, cell, want)
		}
	}
}

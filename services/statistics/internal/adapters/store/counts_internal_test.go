package store

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/vif71/vif/services/statistics/internal/domain"
)

// FuzzParseCounts checks that the fast reader of the counts column agrees with encoding/json on
// whatever it accepts, and accepts what encodeCounts writes.
func FuzzParseCounts(f *testing.F) {
	c := domain.ZeroCounts()
	c.Victims, c.Children = 12, 3
	c.Breakdowns[0][0], c.Breakdowns[0][5] = 10, 2
	c.Breakdowns[1][1], c.Breakdowns[2][7], c.Breakdowns[3][7] = 12, 12, 12
	written, err := encodeCounts(c)
	if err != nil {
		f.Fatalf("encodeCounts(%+v) = %v", c, err)
	}
	for _, s := range []string{
		written,
		`{"victims":0,"children":0,"breakdowns":[]}`,
		`{"victims":-1,"children":007,"breakdowns":[[1]]}`,
		`{"victims": 1, "children": 0, "breakdowns": [[1]]}`,
		`{"children":0,"victims":1,"breakdowns":[[1]]}`,
		`{"victims":1,"children":0,"breakdowns":[[1],[]]}`,
		`{"victims":99999999999999999999,"children":0,"breakdowns":[[1]]}`,
		`{"victims":1,"children":0,"breakdowns":[[1]]}x`,
		`{"victims":0,"children":0,"breakdowns":[[0,0],]}`,
		`{"victims":0,"children":0,"breakdowns":[[0,],[0]]}`,
		`{"victims":0,"children":0,"breakdowns":[[]]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseCounts(s)
		if s == written && (!ok || !reflect.DeepEqual(got, c)) {
			t.Fatalf("parseCounts(%q) = %+v, %v; want %+v, true", s, got, ok, c)
		}
		if !ok {
			return
		}
		var js countsJSON
		if err := json.Unmarshal([]byte(s), &js); err != nil {
			t.Fatalf("parseCounts(%q) = %+v, true; encoding/json refuses it: %v", s, got, err)
		}
		want := domain.Counts{Victims: js.Victims, Children: js.Children, Breakdowns: js.Breakdowns}
		if want.Breakdowns == nil {
			want.Breakdowns = [][]int64{}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("parseCounts(%q) = %+v; want %+v, as encoding/json reads it", s, got, want)
		}
	})
}

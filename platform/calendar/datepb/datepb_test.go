package datepb

import (
	"testing"

	"google.golang.org/genproto/googleapis/type/date"

	"github.com/vif71/vif/platform/calendar"
)

func TestFromProto(t *testing.T) {
	for _, tc := range []struct {
		in   *date.Date
		want calendar.Date
	}{
		{nil, ""},
		{&date.Date{Year: 2024, Month: 3, Day: 5}, "2024-03-05"},
		{&date.Date{Year: 2024, Month: 2, Day: 30}, "2024-02-30"}, // the domain refuses it
		{&date.Date{Month: 3, Day: 5}, Incomplete},
		{&date.Date{Year: 2024, Day: 5}, Incomplete},
		{&date.Date{Year: 2024, Month: 3}, Incomplete},
	} {
		got := FromProto(tc.in)
		if got != tc.want {
			t.Errorf("FromProto(%v) = %q; want %q", tc.in, got, tc.want)
		}
		if tc.in != nil && tc.want != "2024-03-05" && got.Valid() {
			t.Errorf("FromProto(%v) = %q is a valid day; want one the domain refuses", tc.in, got)
		}
	}
}

func TestToProto(t *testing.T) {
	if got := ToProto("2024-03-05"); got.GetYear() != 2024 || got.GetMonth() != 3 || got.GetDay() != 5 {
		t.Errorf("ToProto(2024-03-05) = %v", got)
	}
	for _, d := range []calendar.Date{"", "garbage"} {
		if got := ToProto(d); got != nil {
			t.Errorf("ToProto(%q) = %v; want nil", d, got)
		}
	}
	if got := FromProto(ToProto("1999-12-31")); got != "1999-12-31" {
		t.Errorf("FromProto(ToProto(1999-12-31)) = %q", got)
	}
}

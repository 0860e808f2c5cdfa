package domain

import (
	"errors"
	"slices"
	"testing"

	"github.com/vif71/vif/platform/validation"
)

func TestNewCountsFillsUnknownWithTheRest(t *testing.T) {
	c, err := NewCounts(Submission{
		Victims: 40, Children: 12,
		Breakdowns: [][]BucketCount{
			{{"PHYSICAL", 20}, {"PSYCHOLOGICAL", 15}},
			{{"FEMALE", 36}, {"MALE", 3}, {"UNKNOWN", 1}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Check(); err != nil {
		t.Fatalf("NewCounts gave counts that fail Check: %v", err)
	}
	if want := []int64{20, 15, 0, 0, 0, 5}; !slices.Equal(c.Breakdowns[0], want) {
		t.Errorf("by_form = %v; want %v", c.Breakdowns[0], want)
	}
	if want := []int64{36, 3, 1}; !slices.Equal(c.Breakdowns[1], want) {
		t.Errorf("by_sex = %v; want %v", c.Breakdowns[1], want)
	}
	if c.Breakdowns[2][len(c.Breakdowns[2])-1] != 40 || c.Breakdowns[3][len(c.Breakdowns[3])-1] != 40 {
		t.Errorf("breakdowns not given = %v, %v; want every victim UNKNOWN", c.Breakdowns[2], c.Breakdowns[3])
	}
}

func TestNewCountsNamesTheField(t *testing.T) {
	tests := []struct {
		name string
		sub  Submission
		want string
	}{
		{"breakdown above the total", Submission{Victims: 10, Breakdowns: [][]BucketCount{nil, {{"FEMALE", 8}, {"MALE", 3}}}}, "by_sex"},
		{"bucket twice", Submission{Victims: 10, Breakdowns: [][]BucketCount{{{"SEXUAL", 1}, {"SEXUAL", 2}}}}, "by_form[1]"},
		{"unknown bucket", Submission{Victims: 10, Breakdowns: [][]BucketCount{{{"VERBAL", 1}}}}, "by_form[0]"},
		{"negative bucket", Submission{Victims: 10, Breakdowns: [][]BucketCount{nil, nil, {{"UNDER_18", -1}}}}, "by_age_band[0].count"},
		{"negative total", Submission{Victims: -1}, "victims_supported"},
		{"too many children", Submission{Children: MaxCount + 1}, "children_exposed"},
	}
	for _, tt := range tests {
		_, err := NewCounts(tt.sub)
		var ve *validation.Error
		if !errors.As(err, &ve) || !slices.ContainsFunc(ve.Violations, func(v validation.Violation) bool { return v.Field == tt.want }) {
			t.Errorf("%s: NewCounts = %v; want a violation of %s", tt.name, err, tt.want)
		}
	}
}

func TestCountsAddKeepsConsistency(t *testing.T) {
	a, _ := NewCounts(Submission{Victims: 7, Children: 2, Breakdowns: [][]BucketCount{{{"PHYSICAL", 7}}}})
	b, _ := NewCounts(Submission{Victims: 5, Children: 1, Breakdowns: [][]BucketCount{{{"SEXUAL", 2}}}})
	s := a.Add(b)
	if err := s.Check(); err != nil || s.Victims != 12 || s.Children != 3 || s.Breakdowns[0][0] != 7 || s.Breakdowns[0][2] != 2 || s.Breakdowns[0][5] != 3 {
		t.Errorf("Add = %+v (%v); want 12 victims, 3 children, 7 physical, 2 sexual, 3 unknown", s, err)
	}
}

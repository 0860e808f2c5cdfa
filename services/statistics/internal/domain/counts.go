package domain

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/vif71/vif/platform/validation"
)

// MaxCount bounds every count of a report: far above any network's year, low enough that no sum
// of a query can overflow.
const MaxCount int64 = 1_000_000

// Dimension is one breakdown of the victims supported: a partition into buckets, the last of
// which is Unknown and receives the victims the others do not count.
type Dimension struct {
	// Field names the breakdown in a request, e.g. "by_form".
	Field string
	// Buckets are the bucket names in the API's order, Unknown last.
	Buckets []string
}

// Unknown is the name of every dimension's last bucket.
const Unknown = "UNKNOWN"

// Dimensions are the breakdowns every report carries, in the API's order. Their buckets are
// categories, never free text, so that nothing in a report can point at a person.
var Dimensions = []Dimension{
	{Field: "by_form", Buckets: []string{"PHYSICAL", "PSYCHOLOGICAL", "SEXUAL", "ECONOMIC", "ADMINISTRATIVE", Unknown}},
	{Field: "by_sex", Buckets: []string{"FEMALE", "MALE", Unknown}},
	{Field: "by_age_band", Buckets: []string{"UNDER_18", "18_TO_24", "25_TO_34", "35_TO_44", "45_TO_54", "55_TO_64", "65_AND_OVER", Unknown}},
	{Field: "by_referral", Buckets: []string{"POLICE_GENDARMERIE", "JUSTICE", "HEALTH", "SOCIAL_SERVICES", "ASSOCIATION", "SELF", "OTHER", Unknown}},
}

// Bucket returns the index of a bucket in d, or -1.
func (d Dimension) Bucket(name string) int {
	for i, b := range d.Buckets {
		if b == name {
			return i
		}
	}
	return -1
}

// Counts are what a network reports for a period, complete: every bucket of every dimension,
// each dimension summing exactly to Victims (its Unknown bucket holds the rest).
type Counts struct {
	Victims  int64
	Children int64
	// Breakdowns[d][b] counts the victims in bucket b of Dimensions[d].
	Breakdowns [][]int64
}

// ZeroCounts returns complete counts of nothing.
func ZeroCounts() Counts {
	c := Counts{Breakdowns: make([][]int64, len(Dimensions))}
	for d, dim := range Dimensions {
		c.Breakdowns[d] = make([]int64, len(dim.Buckets))
	}
	return c
}

// Add returns c + o, bucket by bucket.
func (c Counts) Add(o Counts) Counts {
	out := ZeroCounts()
	out.Victims, out.Children = c.Victims+o.Victims, c.Children+o.Children
	for d := range out.Breakdowns {
		for b := range out.Breakdowns[d] {
			out.Breakdowns[d][b] = c.Breakdowns[d][b] + o.Breakdowns[d][b]
		}
	}
	return out
}

// Accumulate adds o to c in place, bucket by bucket; c must be complete (see ZeroCounts). Sums
// over many reports use it to allocate once.
func (c *Counts) Accumulate(o Counts) {
	c.Victims += o.Victims
	c.Children += o.Children
	for d := range c.Breakdowns {
		for b := range c.Breakdowns[d] {
			c.Breakdowns[d][b] += o.Breakdowns[d][b]
		}
	}
}

// Check verifies that c is complete and consistent, as stored counts must be.
func (c Counts) Check() error {
	if len(c.Breakdowns) != len(Dimensions) {
		return fmt.Errorf("counts have %d breakdowns; want %d", len(c.Breakdowns), len(Dimensions))
	}
	if c.Victims < 0 || c.Children < 0 {
		return fmt.Errorf("counts are negative")
	}
	for d, dim := range Dimensions {
		if len(c.Breakdowns[d]) != len(dim.Buckets) {
			return fmt.Errorf("%s has %d buckets; want %d", dim.Field, len(c.Breakdowns[d]), len(dim.Buckets))
		}
		var sum int64
		for _, v := range c.Breakdowns[d] {
			if v < 0 {
				return fmt.Errorf("%s has a negative bucket", dim.Field)
			}
			sum += v
		}
		if sum != c.Victims {
			return fmt.Errorf("%s sums to %d, not to the %d victims", dim.Field, sum, c.Victims)
		}
	}
	return nil
}

// BucketCount is one bucket of a breakdown as a network submits it.
type BucketCount struct {
	Bucket string
	Count  int64
}

// Submission is a network's counts as submitted: each breakdown lists some of its buckets.
type Submission struct {
	Victims  int64
	Children int64
	// Breakdowns[d] lists buckets of Dimensions[d]; a bucket left out counts 0.
	Breakdowns [][]BucketCount
}

// NewCounts checks a submission and completes it: each breakdown may list a bucket once, may
// sum to less than the victims but never to more, and the victims its buckets do not count go to
// its Unknown bucket. Violations name the field within the counts ("by_form[2].form").
func NewCounts(s Submission) (Counts, error) {
	var errs validation.Error
	checkCount := func(field string, v int64) {
		if v < 0 || v > MaxCount {
			errs.Add(field, fmt.Sprintf("must be between 0 and %d, got %d", MaxCount, v))
		}
	}
	checkCount("victims_supported", s.Victims)
	checkCount("children_exposed", s.Children)
	if len(s.Breakdowns) > len(Dimensions) {
		return Counts{}, fmt.Errorf("submission has %d breakdowns; want at most %d", len(s.Breakdowns), len(Dimensions))
	}
	c := ZeroCounts()
	c.Victims, c.Children = s.Victims, s.Children
	for d, dim := range Dimensions {
		var listed []BucketCount
		if d < len(s.Breakdowns) {
			listed = s.Breakdowns[d]
		}
		seen := make([]bool, len(dim.Buckets))
		var sum int64
		for i, bc := range listed {
			at := dim.Field + "[" + strconv.Itoa(i) + "]"
			b := dim.Bucket(bc.Bucket)
			switch {
			case b < 0:
				errs.Add(at, fmt.Sprintf("unknown bucket %q", bc.Bucket))
				continue
			case seen[b]:
				errs.Add(at, fmt.Sprintf("bucket %s is listed twice", bc.Bucket))
				continue
			}
			seen[b] = true
			checkCount(at+".count", bc.Count)
			c.Breakdowns[d][b] = bc.Count
			sum += bc.Count
		}
		if sum > s.Victims {
			errs.Add(dim.Field, fmt.Sprintf("its buckets count %d victims, more than the %d victims_supported", sum, s.Victims))
			continue
		}
		c.Breakdowns[d][len(dim.Buckets)-1] += s.Victims - sum
	}
	if err := errs.Err(); err != nil {
		return Counts{}, err
	}
	return c, nil
}

// Equal reports whether c and o count the same, bucket for bucket.
func (c Counts) Equal(o Counts) bool {
	if c.Victims != o.Victims || c.Children != o.Children || len(c.Breakdowns) != len(o.Breakdowns) {
		return false
	}
	for d := range c.Breakdowns {
		if !slices.Equal(c.Breakdowns[d], o.Breakdowns[d]) {
			return false
		}
	}
	return true
}

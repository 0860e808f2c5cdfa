package store

import (
	"encoding/json"
	"fmt"

	"github.com/vif71/vif/services/statistics/internal/domain"
)

// A report's counts are one JSON text column, always read and written whole:
//
//	{"victims": 12, "children": 3, "breakdowns": [[5, 4, 0, 0, 0, 3], [11, 1, 0], ...]}
//
// breakdowns lists, per dimension of domain.Dimensions and in its order, the count of each bucket
// in its order. No query looks inside the counts, so splitting them into columns or rows would
// only make each write several statements and each read a join. Positions rather than bucket
// names keep the column small and quick to decode on the hot read (LatestReports); the price is
// that changing the dimensions needs a migration of this column, and a read checks the decoded
// counts (Counts.Check) so that a mismatch fails loudly instead of shifting buckets. The shape
// below, not the domain's Go field names, is the stored format.
type countsJSON struct {
	Victims    int64     `json:"victims"`
	Children   int64     `json:"children"`
	Breakdowns [][]int64 `json:"breakdowns"`
}

// encodeCounts refuses counts that are not complete and consistent: what is stored is read back
// as it was written, and a read refuses what Check refuses.
func encodeCounts(c domain.Counts) (string, error) {
	if err := c.Check(); err != nil {
		return "", fmt.Errorf("store: counts refused: %w", err)
	}
	b, err := json.Marshal(countsJSON{Victims: c.Victims, Children: c.Children, Breakdowns: c.Breakdowns})
	return string(b), err
}

// decodeCounts reads the counts column and checks them. The text encodeCounts writes is read by
// parseCounts, any other JSON (other spacing or key order, as a hand-made fix might have) by
// encoding/json: on LatestReports of 12,000 reports, encoding/json alone took two thirds of the
// time.
func decodeCounts(s string) (domain.Counts, error) {
	c, ok := parseCounts(s)
	if !ok {
		var js countsJSON
		if err := json.Unmarshal([]byte(s), &js); err != nil {
			return domain.Counts{}, fmt.Errorf("store: reports.counts: %w", err)
		}
		c = domain.Counts{Victims: js.Victims, Children: js.Children, Breakdowns: js.Breakdowns}
	}
	if err := c.Check(); err != nil {
		return domain.Counts{}, fmt.Errorf("store: reports.counts: %w", err)
	}
	return c, nil
}

// parseCounts reads counts in exactly the form json.Marshal gives countsJSON: no spaces, keys in
// order, integers. ok is false for anything else, which it leaves to encoding/json. The buckets
// of every dimension share one array.
func parseCounts(s string) (c domain.Counts, ok bool) {
	p := countsParser{s: s}
	if !p.literal(`{"victims":`) || !p.integer(&c.Victims) || !p.literal(`,"children":`) || !p.integer(&c.Children) ||
		!p.literal(`,"breakdowns":[`) {
		return domain.Counts{}, false
	}
	c.Breakdowns = make([][]int64, 0, len(domain.Dimensions))
	buckets := make([]int64, 0, bucketsPerReport)
	for done := p.literal("]}"); !done; {
		if !p.literal("[") {
			return domain.Counts{}, false
		}
		start := len(buckets)
		for {
			var v int64
			if !p.integer(&v) {
				return domain.Counts{}, false
			}
			buckets = append(buckets, v)
			if !p.literal(",") {
				break
			}
		}
		if !p.literal("]") {
			return domain.Counts{}, false
		}
		c.Breakdowns = append(c.Breakdowns, buckets[start:len(buckets):len(buckets)])
		if done = p.literal("]}"); !done && !p.literal(",") {
			return domain.Counts{}, false
		}
	}
	if p.i != len(s) {
		return domain.Counts{}, false
	}
	return c, true
}

// bucketsPerReport is the number of buckets of all dimensions together.
var bucketsPerReport = func() int {
	n := 0
	for _, d := range domain.Dimensions {
		n += len(d.Buckets)
	}
	return n
}()

type countsParser struct {
	s string
	i int
}

func (p *countsParser) literal(lit string) bool {
	if len(p.s)-p.i < len(lit) || p.s[p.i:p.i+len(lit)] != lit {
		return false
	}
	p.i += len(lit)
	return true
}

// integer reads an optional minus sign and 1 to 18 digits without a leading zero (JSON's form,
// and never an overflow), into *v.
func (p *countsParser) integer(v *int64) bool {
	neg := p.literal("-")
	start := p.i
	var n int64
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		n = n*10 + int64(p.s[p.i]-'0')
		p.i++
	}
	digits := p.i - start
	if digits == 0 || digits > 18 || (digits > 1 && p.s[start] == '0') {
		return false
	}
	if neg {
		n = -n
	}
	*v = n
	return true
}

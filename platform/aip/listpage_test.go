package aip

import (
	"slices"
	"strconv"
	"testing"

	"github.com/vif71/vif/platform/resource"
)

type listRequest struct {
	filter, token string
	size          int32
}

func (r listRequest) GetFilter() string    { return r.filter }
func (r listRequest) GetPageToken() string { return r.token }
func (r listRequest) GetPageSize() int32   { return r.size }

// TestListFiltered: a list method reads only validated filter values, pages with the token it
// gave, and refuses a bad filter or a token of another query before reading anything.
func TestListFiltered(t *testing.T) {
	filters := Filters{"state": OneOf("STATE_", []string{"OPEN", "CLOSED"})}
	rows := []int{1, 2, 3, 4, 5}
	reads := 0
	read := func(q Query) (resource.Page[int], error) {
		reads++
		if q.Filters["state"] != "OPEN" {
			t.Errorf("read got filters %v; want state OPEN", q.Filters)
		}
		return resource.ReadPage(q.Limit, func(limit int) ([]int, int, error) {
			after, _ := strconv.Atoi(q.After)
			var out []int
			for _, r := range rows {
				if r > after && len(out) < limit {
					out = append(out, r)
				}
			}
			return out, len(rows), nil
		}, strconv.Itoa)
	}
	conv := func(i int) string { return "item-" + strconv.Itoa(i) }
	req := listRequest{filter: `state = "STATE_OPEN"`, size: 2}
	var got []string
	for page := 0; page < 4; page++ {
		out, err := ListFiltered("ListThings", "", req, filters, read, conv)
		if err != nil {
			t.Fatalf("ListFiltered(page %d) = %v", page, err)
		}
		if out.TotalSize != 5 {
			t.Errorf("TotalSize = %d; want 5", out.TotalSize)
		}
		got = append(got, out.Items...)
		if out.NextPageToken == "" {
			break
		}
		req.token = out.NextPageToken
	}
	if want := []string{"item-1", "item-2", "item-3", "item-4", "item-5"}; !slices.Equal(got, want) {
		t.Errorf("pages = %v; want %v", got, want)
	}
	before := reads
	for _, bad := range []listRequest{
		{filter: `state = "STATE_LOST"`},
		{filter: `colour = "red"`},
		{filter: `state = "OPEN"`, token: req.token}, // a token of another filter
	} {
		if _, err := ListFiltered("ListThings", "", bad, filters, read, conv); violatedField(err) == "" {
			t.Errorf("ListFiltered(%+v) = %v; want a field violation", bad, err)
		}
	}
	if reads != before {
		t.Errorf("a refused request read %d pages", reads-before)
	}
}

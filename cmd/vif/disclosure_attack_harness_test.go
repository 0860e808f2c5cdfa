package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vif71/vif/services/statistics/attack"
)

// The attacker's machinery of TestDisclosureAttacksOverREST (disclosure_attack_rest_test.go):
// what a reader fetches over REST, the linear system it makes of it, the adversary's reports.
//
// The attacker's system. Its cells are every figure any of the fetched answers carries: the
// totals (victims supported, children exposed) of the département and of each network for every
// year, quarter and month, as the series give them (the département's by_network entries are
// the same cells as the networks' own series), the yearly breakdown buckets of the département
// and of each network, and each report as GET returns it (a report that is counted is the same
// cell as its network's figure for the period; a superseded one is a cell of its own). Its
// relations are the ones the API documents and every reader can see apply (which figures exist
// is public, hidden or not): a département figure is the sum of the networks that have one for
// the period; a network's figure is the sum of its sub-periods' when each of them has one; each
// yearly breakdown sums to its victims; a département yearly bucket is the sum of the networks'.
// A reader knows every published figure; a coordinator also every raw figure of their own
// network. Breakdown buckets finer than a year are only checked not to publish a small count
// (they are withheld by rule, published only where a published figure already gives them, so
// they add nothing to the system; leaving them out keeps the programmes small).
//
// A hidden cell of value ≥ 1 not the attacker's own is exposed when its feasible interval is
// narrower than the threshold (which includes exact, and inside 1..threshold−1); a published
// figure from 1 to threshold−1 not the attacker's own is exposed too.

const attackThreshold = 5

// shown is what one answer says of a figure.
type shown struct {
	value     int64
	published bool // a value; otherwise hidden
}

// cellKey names a figure: scope ("-" for the département, else a network id, prefixed with
// "report:" for a superseded report), period, and what it counts ("victims", "children",
// "form:FORM_OF_VIOLENCE_PHYSICAL", ...).
type cellKey struct{ scope, period, what string }

// view is everything one reader fetched: every figure that exists, published or hidden.
type view map[cellKey]shown

// put records f, checking that two answers giving the same figure agree.
func (v view) put(t *testing.T, k cellKey, f shown) {
	t.Helper()
	old, ok := v[k]
	switch {
	case !ok:
		v[k] = f
	case old.published && f.published && old.value != f.value:
		t.Errorf("%v: two answers give %d and %d", k, old.value, f.value)
	case f.published:
		v[k] = f
	}
}

// count reads a Count of the JSON answer: ok is false when the figure does not exist.
func count(t *testing.T, c any) (shown, bool) {
	t.Helper()
	m, _ := c.(map[string]any)
	if m["hidden"] == true {
		return shown{}, true
	}
	s, ok := m["value"].(string)
	if !ok {
		return shown{}, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("count %v: %v", c, err)
	}
	return shown{value: n, published: true}, true
}

// figures records the totals and the breakdowns of a Figures message.
func (v view) figures(t *testing.T, scope, period string, f map[string]any) {
	t.Helper()
	for json, what := range map[string]string{"victimsSupported": "victims", "childrenExposed": "children"} {
		if c, ok := count(t, f[json]); ok {
			v.put(t, cellKey{scope, period, what}, c)
		}
	}
	for _, d := range breakdowns {
		list, _ := f[d.json].([]any)
		for _, e := range list {
			e := e.(map[string]any)
			if c, ok := count(t, e["count"]); ok {
				v.put(t, cellKey{scope, period, d.prefix + e[d.field].(string)}, c)
			}
		}
	}
}

var breakdowns = []struct{ json, field, prefix string }{
	{"byForm", "form", "form:"}, {"bySex", "sex", "sex:"}, {"byAgeBand", "ageBand", "age:"}, {"byReferral", "referral", "referral:"},
}

// periodsOf lists a year's periods at each granularity.
func periodsOf(year string) (quarters, months []string) {
	for q := 1; q <= 4; q++ {
		quarters = append(quarters, fmt.Sprintf("%s-Q%d", year, q))
	}
	for m := 1; m <= 12; m++ {
		months = append(months, fmt.Sprintf("%s-%02d", year, m))
	}
	return quarters, months
}

// children lists the sub-periods of a year or a quarter.
func children(p string) []string {
	if len(p) == 4 {
		q, _ := periodsOf(p)
		return q
	}
	if strings.Contains(p, "-Q") {
		q := int(p[6] - '0')
		var out []string
		for m := 3*q - 2; m <= 3*q; m++ {
			out = append(out, fmt.Sprintf("%s-%02d", p[:4], m))
		}
		return out
	}
	return nil
}

// overlaps reports whether one of two periods contains the other.
func overlaps(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if a == b {
		return true
	}
	if len(a) == 4 {
		return strings.HasPrefix(b, a)
	}
	return slices.Contains(children(a), b)
}

// fetch reads, as token's bearer ("" for the public), the département's series for years at
// every granularity, each network's (every granularity when full, else the yearly one only: the
// networks' finer series repeat the département's by_network totals and add only breakdowns,
// which are withheld by rule, and each costs the service a protection of the year), and each
// report.
// refused are the years whose latest publication was refused (UNPUBLISHABLE): a protected reader
// finds none of the reports submitted since.
func fetch(t *testing.T, base, token string, full bool, years, networks []string, reports [][2]string, refused map[string]bool) view {
	t.Helper()
	v := view{}
	var ranges [][3]string
	for _, y := range years {
		ranges = append(ranges, [3]string{"GRANULARITY_YEAR", y, y}, [3]string{"GRANULARITY_QUARTER", y + "-Q1", y + "-Q4"},
			[3]string{"GRANULARITY_MONTH", y + "-01", y + "-12"})
	}
	for _, scope := range append([]string{"-"}, networks...) {
		for _, r := range ranges {
			if !full && scope != "-" && r[0] != "GRANULARITY_YEAR" {
				continue
			}
			path := "/v1/networks/" + scope + "/series" + query("granularity", r[0], "startPeriod", r[1], "endPeriod", r[2])
			began := time.Now()
			res := call(t, "GET", base+path, token, "")
			// A read computes no protection (it reads the release's pattern), but a busy machine
			// under -race can still pass the gateway's 30 s: retry, and say so.
			for try := 0; res.status == 504 && try < 3; try++ {
				t.Logf("GET %s = 504 after %v; again", path, time.Since(began))
				res = call(t, "GET", base+path, token, "")
			}
			if d := time.Since(began); d > time.Second {
				t.Logf("GET %s took %v", path, d)
			}
			if res.status != 200 {
				t.Fatalf("GET %s = %d %v", path, res.status, res.body)
			}
			periods, _ := res.body["periods"].([]any)
			for _, p := range periods {
				p := p.(map[string]any)
				period := p["period"].(string)
				figs, _ := p["figures"].(map[string]any)
				v.figures(t, scope, period, figs)
				by, _ := p["byNetwork"].([]any)
				for _, n := range by {
					n := n.(map[string]any)
					id := strings.TrimPrefix(n["network"].(string), "networks/")
					for json, what := range map[string]string{"victimsSupported": "victims", "childrenExposed": "children"} {
						if c, ok := count(t, n[json]); ok {
							v.put(t, cellKey{id, period, what}, c)
						}
					}
				}
			}
		}
	}
	for _, r := range reports {
		path := "/v1/networks/" + r[0] + "/reports/" + r[1]
		res := call(t, "GET", base+path, token, "")
		if res.status == 404 && !full && refused[r[1][:4]] {
			continue // not in its year's latest release, its publication refused: it does not exist to them
		}
		if res.status != 200 {
			t.Fatalf("GET %s = %d %v", path, res.status, res.body)
		}
		scope := r[0]
		if res.body["superseded"] == true {
			scope = "report:" + r[0]
		}
		figs, _ := res.body["figures"].(map[string]any)
		v.figures(t, scope, r[1], figs)
	}
	return v
}

// system is the attacker's linear system over the cells of one or more states of the tables.
type system struct {
	table attack.Table
	keys  []string // a cell's name, for messages
	index map[string]int
}

func (s *system) cell(name string, value int64) int {
	if i, ok := s.index[name]; ok {
		return i
	}
	s.index[name] = len(s.keys)
	s.keys = append(s.keys, name)
	s.table.Cells = append(s.table.Cells, value)
	return len(s.keys) - 1
}

// add puts the cells and the relations of one state (raw: every figure's true value) into s,
// naming each cell by name (which lets two states share the figures that did not change).
// Superseded reports and breakdowns finer than a year are cells with no relation.
func (s *system) add(t *testing.T, raw view, years, networks []string, name func(cellKey) string) {
	t.Helper()
	idx := func(k cellKey) (int, bool) {
		f, ok := raw[k]
		if !ok {
			return 0, false
		}
		return s.cell(name(k), f.value), true
	}
	keys := make([]cellKey, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
	for _, k := range keys {
		if len(k.period) == 4 || strings.HasPrefix(k.scope, "report:") || k.what == "victims" || k.what == "children" {
			idx(k)
		}
	}
	relate := func(total cellKey, parts []cellKey) {
		ti, ok := idx(total)
		if !ok {
			return
		}
		r := attack.Relation{Total: ti}
		for _, p := range parts {
			if pi, ok := idx(p); ok {
				r.Parts = append(r.Parts, pi)
			}
		}
		s.table.Relations = append(s.table.Relations, r)
	}
	for _, y := range years {
		q, m := periodsOf(y)
		periods := append(append([]string{y}, q...), m...)
		for _, p := range periods {
			for _, what := range []string{"victims", "children"} {
				var parts []cellKey
				for _, n := range networks {
					parts = append(parts, cellKey{n, p, what})
				}
				relate(cellKey{"-", p, what}, parts) // the networks with a figure for p
				for _, n := range networks {
					sub := children(p)
					complete := len(sub) > 0
					var parts []cellKey
					for _, c := range sub {
						_, ok := raw[cellKey{n, c, what}]
						complete = complete && ok
						parts = append(parts, cellKey{n, c, what})
					}
					if complete {
						relate(cellKey{n, p, what}, parts)
					}
				}
			}
		}
		// Yearly breakdowns: each sums to its victims, the département's buckets to the networks'.
		buckets := map[string][]string{}
		for k := range raw {
			if k.period == y && k.what != "victims" && k.what != "children" && !strings.HasPrefix(k.scope, "report:") {
				dim := k.what[:strings.Index(k.what, ":")]
				if !slices.Contains(buckets[dim], k.what) {
					buckets[dim] = append(buckets[dim], k.what)
				}
			}
		}
		for _, dim := range []string{"form", "sex", "age", "referral"} {
			slices.Sort(buckets[dim])
			for _, scope := range append([]string{"-"}, networks...) {
				var parts []cellKey
				for _, b := range buckets[dim] {
					parts = append(parts, cellKey{scope, y, b})
				}
				if _, ok := raw[cellKey{scope, y, "victims"}]; ok && len(parts) > 0 {
					relate(cellKey{scope, y, "victims"}, parts)
				}
			}
			for _, b := range buckets[dim] {
				var parts []cellKey
				for _, n := range networks {
					parts = append(parts, cellKey{n, y, b})
				}
				relate(cellKey{"-", y, b}, parts)
			}
		}
	}
	// A relation with no parts says its total is 0; drop empty département buckets' noise.
	var kept []attack.Relation
	for _, r := range s.table.Relations {
		if len(r.Parts) > 0 || s.table.Cells[r.Total] == 0 {
			kept = append(kept, r)
		} else {
			t.Errorf("%s = %d has no parts in the system", s.keys[r.Total], s.table.Cells[r.Total])
		}
	}
	s.table.Relations = kept
}

// exposures attacks s with known (a flag per cell) by an attacker whose own part of each cell is
// own (a coordinator's own network's figure, and its share of a département figure; nil for the
// public). A cell is at stake when its value less the attacker's part is ≥ 1. It returns a line
// per exposed cell: a small count published, or a hidden cell of any size whose interval is
// narrower than the protection level (a hidden 19 pinned to [19, 19] is as exposed as a 2).
func (s *system) exposures(t *testing.T, known []bool, own []int64) []string {
	return s.exposuresBut(t, known, own, nil)
}

// exposuresBut is exposures, leaving out the cells exempt says (nil: none).
func (s *system) exposuresBut(t *testing.T, known []bool, own []int64, exempt []bool) (exposed []string) {
	t.Helper()
	if err := s.table.Validate(); err != nil {
		t.Fatalf("the attacker's system does not hold on the raw figures: %v", err)
	}
	want := make([]bool, len(known))
	for i, v := range s.table.Cells {
		if own != nil {
			v -= own[i]
		}
		switch {
		case v <= 0:
		case known[i] && v < attackThreshold:
			exposed = append(exposed, fmt.Sprintf("%s = %d published (%d not the reader's own)", s.keys[i], s.table.Cells[i], v))
		case !known[i]:
			want[i] = true
		}
	}
	ivs, err := attack.IntervalsOf(s.table, known, want)
	if err != nil {
		t.Fatalf("attack: %v", err)
	}
	for i, w := range want {
		if w && (exempt == nil || !exempt[i]) && ivs[i].Width() < attackThreshold {
			exposed = append(exposed, fmt.Sprintf("%s = %d hidden, but in %v", s.keys[i], s.table.Cells[i], ivs[i]))
		}
	}
	return exposed
}

// adversary submits the shapes and random reports for 2024 and 2025 with admin, and
// returns the reports it submitted and the networks it used.
// publish publishes each of years as the admin does; a year that cannot be protected against
// its earlier releases is refused (UNPUBLISHABLE) when unpublishable allows it, and then keeps
// its latest release. It returns the years refused.
func publish(t *testing.T, base, admin string, years []string, unpublishable bool) map[string]bool {
	t.Helper()
	refused := map[string]bool{}
	for _, y := range years {
		r := call(t, "POST", base+"/v1/years/"+y+"/releases", admin, `{}`)
		reason, _ := errorDetails(r)
		if r.status != 200 && !(unpublishable && r.status == 409 && reason == "UNPUBLISHABLE") {
			t.Fatalf("POST /v1/years/%s/releases = %d %v", y, r.status, r.body)
		}
		refused[y] = r.status != 200
	}
	return refused
}

func adversary(t *testing.T, base, admin string, all []string) (reports [][2]string, used []string) {
	t.Helper()
	used = all[:5]
	submit := func(network, period string, victims, children int64, extra string) {
		t.Helper()
		body := fmt.Sprintf(`{"period":%q,"counts":{"victimsSupported":"%d","childrenExposed":"%d"%s}}`, period, victims, children, extra)
		if r := call(t, "POST", base+"/v1/networks/"+network+"/reports", admin, body); r.status != 200 {
			t.Fatalf("POST %s report %s = %d %v", network, body, r.status, r.body)
		}
		key := [2]string{network, period}
		if !slices.Contains(reports, key) {
			reports = append(reports, key)
		}
	}
	// Two small counts shielding each other in a yearly breakdown.
	submit(used[0], "2024", 30, 4, `,"byAgeBand":[{"ageBand":"AGE_BAND_UNDER_18","count":"1"},{"ageBand":"AGE_BAND_18_TO_24","count":"10"},{"ageBand":"AGE_BAND_25_TO_34","count":"10"},{"ageBand":"AGE_BAND_35_TO_44","count":"8"},{"ageBand":"AGE_BAND_65_AND_OVER","count":"1"}],"bySex":[{"sex":"SEX_FEMALE","count":"28"},{"sex":"SEX_MALE","count":"2"}]`)
	submit(used[1], "2024", 25, 12, `,"byAgeBand":[{"ageBand":"AGE_BAND_25_TO_34","count":"25"}],"bySex":[{"sex":"SEX_FEMALE","count":"25"}]`)
	// A network of 3, one of 40 and one of 2 in a month.
	submit(used[2], "2024-03", 3, 1, "")
	submit(used[3], "2024-03", 40, 22, "")
	submit(used[4], "2024-03", 2, 0, "")
	// Small monthly counts across quarters (March is the 2 above), and a coarser report the
	// months supersede.
	submit(used[4], "2024", 20, 9, "")
	for m, v := range []int64{1, 2, 2, 3, 1, 0, 4, 2, 1, 0, 2, 1} {
		submit(used[4], fmt.Sprintf("2024-%02d", m+1), v, v/2, "")
	}
	submit(used[3], "2024-Q2", 17, 3, "")
	submit(used[3], "2024-Q3", 2, 2, "")
	// Random shapes for 2025 (a seeded RNG: the same reports on every run).
	rng := rand.New(rand.NewPCG(10, 2025))
	draw := func() int64 {
		if rng.IntN(2) == 0 {
			return rng.Int64N(attackThreshold)
		}
		return attackThreshold + rng.Int64N(40)
	}
	for _, n := range used[:4] {
		switch rng.IntN(4) {
		case 0:
			v := draw()
			a := rng.Int64N(v + 1)
			submit(n, "2025", v, rng.Int64N(v+1), fmt.Sprintf(`,"byForm":[{"form":"FORM_OF_VIOLENCE_PHYSICAL","count":"%d"},{"form":"FORM_OF_VIOLENCE_SEXUAL","count":"%d"}]`, a, rng.Int64N(v-a+1)))
		case 1:
			q, _ := periodsOf("2025")
			for _, p := range q {
				v := draw()
				submit(n, p, v, rng.Int64N(v+1), "")
			}
		case 2:
			_, m := periodsOf("2025")
			for _, p := range m {
				v := draw()
				submit(n, p, v, rng.Int64N(v+1), "")
			}
		default:
			_, m := periodsOf("2025")
			for _, p := range m[:rng.IntN(4)+1] {
				v := draw()
				submit(n, p, v, rng.Int64N(v+1), "")
			}
			v := draw()
			submit(n, "2025", v+draw(), v, "")
		}
	}
	return reports, used
}

// knewBefore marks the département cells of state (raw, named by name) whose part not network
// n's own the coordinator of n could compute exactly from before (what they knew before that
// state was published): total − own part, pinned by the linear programme.
func (s *system) knewBefore(t *testing.T, raw view, name func(cellKey) string, n string, before []bool) []bool {
	t.Helper()
	tab := attack.Table{Cells: append([]int64(nil), s.table.Cells...), Relations: append([]attack.Relation(nil), s.table.Relations...)}
	known := append([]bool(nil), before...)
	zOf := map[int]int{}
	for k, f := range raw {
		i, ok := s.index[name(k)]
		if !ok || k.scope != "-" {
			continue
		}
		o := raw[cellKey{n, k.period, k.what}].value
		if o == 0 {
			continue
		}
		oc := len(tab.Cells) // the own part, known
		tab.Cells = append(tab.Cells, o, f.value-o)
		known = append(known, true, false)
		tab.Relations = append(tab.Relations, attack.Relation{Total: i, Parts: []int{oc, oc + 1}})
		zOf[oc+1] = i
	}
	want := make([]bool, len(tab.Cells))
	for z := range zOf {
		want[z] = true
	}
	ivs, err := attack.IntervalsOf(tab, known, want)
	if err != nil {
		t.Fatalf("attack: %v", err)
	}
	out := make([]bool, len(s.keys))
	for z, i := range zOf {
		if iv := ivs[z]; !iv.Unbounded && iv.Lo == iv.Hi {
			out[i] = true
		}
	}
	return out
}

package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vif71/vif/platform/grpcserver/grpctest"
)

// The attacks of issue 10, run against the service's real answers through the gateway: a seeded
// embedded default, adversarial reports in years the seed does not use (2024, 2025), and what
// each reader can fetch over REST for those years turned into a linear system that package
// attack solves by linear programming (non-negativity, bounds rounded to integers).

// TestDisclosureAttacksOverREST runs the interval and the respondent attacks of issue 10 against
// the protected answers of the gateway: no hidden non-zero figure of 2024–2025 may be narrowed
// to less than the threshold, by the public or by any of the networks' coordinators, and no
// published figure may be a count from 1 to threshold−1.
func TestDisclosureAttacksOverREST(t *testing.T) {
	dataDir := t.TempDir()
	in, _ := startEmbedded(t, dataDir)
	base := "http://" + in.httpAddr
	admin := tokenFor(t, dataDir, "--role", "admin")
	// The seed writes some 450 reports: seconds here, more under -race on a busy machine.
	if !grpctest.Within(2*time.Minute, 100*time.Millisecond, func() bool {
		return call(t, "GET", base+"/v1/nationalFigures", "", "").body["totalSize"] == 2.0
	}) {
		t.Fatal("the statistics seed did not finish in 2 minutes")
	}
	var all []string
	for _, n := range call(t, "GET", base+"/v1/networks/-/series"+query("granularity", "GRANULARITY_YEAR", "startPeriod", "2022", "endPeriod", "2022"), "", "").body["periods"].([]any)[0].(map[string]any)["byNetwork"].([]any) {
		all = append(all, strings.TrimPrefix(n.(map[string]any)["network"].(string), "networks/"))
	}
	if len(all) < 6 {
		t.Fatalf("%d networks in the seed; want at least 6", len(all))
	}
	years := []string{"2024", "2025"}
	reports, used := adversary(t, base, admin, all)
	publish(t, base, admin, years, false) // release 1 of each year: what the readers see

	raw := fetch(t, base, admin, true, years, used, reports, nil)
	for k, f := range raw {
		if !f.published {
			t.Fatalf("the admin's view hides %v", k)
		}
	}
	s := &system{index: map[string]int{}}
	s.add(t, raw, years, used, func(k cellKey) string { return fmt.Sprint(k) })
	scopeOf := make([]string, len(s.keys))
	for k := range raw {
		if i, ok := s.index[fmt.Sprint(k)]; ok {
			scopeOf[i] = strings.TrimPrefix(k.scope, "report:")
		}
	}
	hidden := 0
	attackAs := func(who, token, network string) view {
		began := time.Now()
		v := fetch(t, base, token, network == "", years, used, reports, nil)
		fetched := time.Since(began)
		known := make([]bool, len(s.keys))
		for k, f := range v {
			r, ok := raw[k]
			switch {
			case !ok:
				t.Errorf("%s: %v is in the answers but not in the admin's", who, k)
				continue
			case f.published && f.value != r.value:
				t.Errorf("%s: %v published as %d, raw %d", who, k, f.value, r.value)
			}
			i, inSystem := s.index[fmt.Sprint(k)]
			if !inSystem { // a breakdown finer than a year: withheld by rule
				if f.published && r.value >= 1 && r.value < attackThreshold && strings.TrimPrefix(k.scope, "report:") != network {
					t.Errorf("%s: %v = %d published", who, k, r.value)
				}
				continue
			}
			known[i] = f.published
			if network == "" && !f.published {
				hidden++
			}
		}
		for k := range raw {
			if _, ok := v[k]; !ok && (network == "" || s.index[fmt.Sprint(k)] != 0 || fmt.Sprint(k) == s.keys[0]) {
				t.Errorf("%s: %v is missing from the answers (neither a value nor hidden)", who, k)
			}
		}
		var own []int64
		if network != "" { // their own network's figures, raw, and its part of the département's
			own = make([]int64, len(s.keys))
			for k, f := range raw {
				i, ok := s.index[fmt.Sprint(k)]
				switch {
				case !ok:
				case strings.TrimPrefix(k.scope, "report:") == network:
					known[i], own[i] = true, f.value
				case k.scope == "-":
					own[i] = raw[cellKey{network, k.period, k.what}].value
				}
			}
		}
		for _, e := range s.exposures(t, known, own) {
			t.Errorf("%s: %s", who, e)
		}
		t.Logf("%s: answers fetched in %v, attacked in %v", who, fetched, time.Since(began)-fetched)
		return v
	}
	public := attackAs("the public", "", "")
	coordinators := map[string]view{}
	for _, n := range used {
		coordinators[n] = attackAs("the coordinator of "+n, tokenFor(t, dataDir, "--role", "coordinator", "--network", n), n)
	}
	t.Logf("%d cells in the attacker's system, %d relations, %d hidden from the public; %d coordinators", len(s.keys), len(s.table.Relations), hidden, len(used))

	// Successive releases: a late report and a correction, published, then the public's answers
	// again. The service recorded what it published (release 1 of each year) and protects the
	// new state (release 2) against it: neither state alone nor the two together may pin a
	// hidden figure.
	changed := [][2]string{{used[1], "2024-03"}, {used[4], "2025"}, {used[2], "2024-03"}}
	for _, c := range changed {
		body := fmt.Sprintf(`{"period":%q,"counts":{"victimsSupported":"2","childrenExposed":"1"}}`, c[1])
		if r := call(t, "POST", base+"/v1/networks/"+c[0]+"/reports", admin, body); r.status != 200 {
			t.Fatalf("POST %s report %s = %d %v", c[0], body, r.status, r.body)
		}
	}
	reports = append(reports, changed[0], changed[1])
	refused := publish(t, base, admin, years, true)
	rawB := fetch(t, base, admin, true, years, used, reports, nil)
	publicB := fetch(t, base, "", false, years, used, reports, refused)
	// A year whose new state the service could not protect against release 1 is not released
	// (UNPUBLISHABLE): the public keeps release 1's figures of it. The attacker's second state is what was
	// served.
	kept := map[string]bool{}
	for k, f := range publicB {
		if r, ok := rawB[k]; ok && f.published && f.value != r.value {
			kept[k.period[:4]] = true
		}
	}
	for k := range raw {
		if !kept[k.period[:4]] {
			continue
		}
		if f, ok := publicB[k]; ok && f.published && f.value != raw[k].value {
			t.Errorf("the public, year %s kept: %v published as %d, release 1 has %d", k.period[:4], k, f.value, raw[k].value)
		}
	}
	if len(kept) > 0 {
		t.Logf("years whose new state was not released (answers keep release 1): %v", kept)
		served := view{}
		for k, f := range rawB {
			if !kept[k.period[:4]] {
				served[k] = f
			}
		}
		for k, f := range raw {
			if kept[k.period[:4]] {
				served[k] = f
			}
		}
		rawB = served
	}
	sB := &system{index: map[string]int{}}
	sB.add(t, rawB, years, used, func(k cellKey) string { return fmt.Sprint(k) })
	knownOf := func(s *system, v view, tag string) []bool {
		known := make([]bool, len(s.keys))
		for k, f := range v {
			if i, ok := s.index[tag+fmt.Sprint(k)]; ok && f.published {
				known[i] = true
			}
		}
		return known
	}
	for _, e := range sB.exposures(t, knownOf(sB, publicB, ""), nil) {
		t.Errorf("the public, after the late report and the correction: %s", e)
	}
	// Both states in one system: a figure is the same cell in both unless it is the
	// département's or a changed report's network's for a period overlapping the change (which
	// the public sees: a late network's figure appears, a correction's revision goes up).
	name := func(state string) func(cellKey) string {
		return func(k cellKey) string {
			moved := k.scope == "-"
			for _, c := range changed {
				moved = moved || (strings.TrimPrefix(k.scope, "report:") == c[0] && overlaps(k.period, c[1]))
			}
			if moved {
				return state + fmt.Sprint(k)
			}
			return fmt.Sprint(k)
		}
	}
	both := &system{index: map[string]int{}}
	both.add(t, raw, years, used, name("A"))
	both.add(t, rawB, years, used, name("B"))
	known := make([]bool, len(both.keys))
	for _, st := range []struct {
		v    view
		name func(cellKey) string
	}{{public, name("A")}, {publicB, name("B")}} {
		for k, f := range st.v {
			if i, ok := both.index[st.name(k)]; ok && f.published {
				known[i] = true
			}
		}
	}
	for _, e := range both.exposures(t, known, nil) {
		t.Errorf("the public, across the two releases: %s", e)
	}
	t.Logf("across the two releases: %d cells, %d relations", len(both.keys), len(both.table.Relations))

	// Each coordinator across the two releases: they also know their own network's figures in
	// both, and their part of the département's. Left out, as the service leaves them out: a
	// département figure of release 2 whose part not theirs they knew from release 1's published
	// figures and their own (e.g. the total after a late report, when every other network's
	// figure was published); hiding it protects nothing against them.
	for _, n := range used {
		vB := fetch(t, base, tokenFor(t, dataDir, "--role", "coordinator", "--network", n), false, years, used, reports, refused)
		known := make([]bool, len(both.keys))
		before := make([]bool, len(both.keys)) // what they knew before release 2
		own := make([]int64, len(both.keys))
		for _, st := range []struct {
			v    view
			name func(cellKey) string
			A    bool
		}{{coordinators[n], name("A"), true}, {vB, name("B"), false}} {
			for k, f := range st.v {
				if i, ok := both.index[st.name(k)]; ok && f.published {
					known[i] = true
					before[i] = before[i] || st.A
				}
			}
		}
		for _, st := range []struct {
			raw  view
			name func(cellKey) string
		}{{raw, name("A")}, {rawB, name("B")}} {
			for k, f := range st.raw {
				i, ok := both.index[st.name(k)]
				switch {
				case !ok:
				case strings.TrimPrefix(k.scope, "report:") == n:
					known[i], before[i], own[i] = true, true, f.value
				case k.scope == "-":
					own[i] = max(own[i], st.raw[cellKey{n, k.period, k.what}].value)
				}
			}
		}
		exempt := both.knewBefore(t, rawB, name("B"), n, before)
		for _, e := range both.exposuresBut(t, known, own, exempt) {
			t.Errorf("the coordinator of %s, across the two releases: %s", n, e)
		}
	}
}

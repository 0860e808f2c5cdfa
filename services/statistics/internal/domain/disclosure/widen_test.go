package disclosure_test

import (
	"errors"
	"testing"

	"pgregory.net/rapid"

	"github.com/vif71/vif/services/statistics/attack"
	"github.com/vif71/vif/services/statistics/internal/domain/disclosure"
)

// narrow lists the hidden cells whose value less the attacker's own part is ≥ 1 and whose
// feasible interval, as the LP attacker computes it, is narrower than level.
func narrow(t *rapid.T, tab disclosure.Table, hidden []bool, att disclosure.Attacker, level int64) []int {
	known := make([]bool, len(hidden))
	want := make([]bool, len(hidden))
	for i, h := range hidden {
		known[i] = !h || (att.Known != nil && att.Known[i])
		want[i] = !known[i] && tab.Cells[i]-own(att, i) >= 1
	}
	ivs, err := attack.IntervalsOf(tab, known, want)
	if err != nil {
		t.Fatalf("attack: %v", err)
	}
	var out []int
	for i := range hidden {
		if !want[i] {
			continue
		}
		iv := ivs[i]
		iv.Lo -= own(att, i)
		iv.Hi -= own(att, i)
		// Widen's promise: at least level wide (with level = threshold, as the service uses it,
		// never inside 1..threshold-1 either).
		if iv.Width() < level {
			out = append(out, i)
		}
	}
	return out
}

func own(a disclosure.Attacker, i int) int64 {
	if a.Own == nil {
		return 0
	}
	return a.Own[i]
}

func TestWidenGivesTwoSmallCountsShieldingEachOtherTheirInterval(t *testing.T) {
	// The first finding: 1,134 victims, published age bands summing to 1,132, the two
	// hidden bands each in [0, 2].
	tab := disclosure.Table{
		Cells:     []int64{1134, 1, 600, 532, 1},
		Relations: []disclosure.Relation{{Total: 0, Parts: []int{1, 2, 3, 4}}},
	}
	hidden, err := disclosure.Protect(tab, disclosure.DefaultThreshold)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := disclosure.Widen(tab, hidden, nil, disclosure.DefaultThreshold, nil, nil); err != nil {
		t.Fatal(err)
	}
	if !hidden[3] || hidden[2] || hidden[0] {
		t.Errorf("hidden = %v; want the bands of 1 and the smaller large band (532) hidden, nothing else", hidden)
	}
	ivs, err := attack.Intervals(tab, []bool{!hidden[0], !hidden[1], !hidden[2], !hidden[3], !hidden[4]})
	if err != nil {
		t.Fatal(err)
	}
	if ivs[1].Lo != 0 || ivs[1].Hi < 5 {
		t.Errorf("band of 1 is known to lie in %v; want [0, ≥ 5]", ivs[1])
	}
}

// TestWidenProperties: on random tables, after Protect and Widen no hidden count is bounded more
// tightly than the protection level, by the public or by a respondent who knows some of the
// cells raw and owns part of others.
func TestWidenProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tab := disclosure.DrawTable(t, 1, 30)
		threshold := rapid.Int64Range(2, 6).Draw(t, "threshold")
		level := rapid.Int64Range(1, threshold).Draw(t, "level")
		hidden, err := disclosure.Protect(tab, threshold)
		if err != nil {
			t.Fatal(err)
		}
		respondent := disclosure.Attacker{Known: make([]bool, len(tab.Cells)), Own: make([]int64, len(tab.Cells))}
		for i, v := range tab.Cells {
			switch rapid.IntRange(0, 5).Draw(t, "knowledge") {
			case 0:
				respondent.Known[i] = true
			case 1:
				respondent.Own[i] = rapid.Int64Range(0, v).Draw(t, "own part")
			}
		}
		attackers := []disclosure.Attacker{{}, respondent}
		_, _, err = disclosure.Widen(tab, hidden, nil, level, attackers, nil)
		if errors.Is(err, disclosure.ErrUnprotectable) {
			// Only possible against the respondent: the public can always be protected.
			if _, _, err := disclosure.Widen(tab, append([]bool(nil), hidden...), nil, level, attackers[:1], nil); err != nil {
				t.Fatalf("Widen against the public alone: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		for a, att := range attackers {
			if cells := narrow(t, tab, hidden, att, level); len(cells) > 0 {
				c := cells[0]
				t.Fatalf("attacker %d bounds cell %d (= %d) too tightly; hidden %v", a, c, tab.Cells[c], hidden)
			}
		}
	})
}

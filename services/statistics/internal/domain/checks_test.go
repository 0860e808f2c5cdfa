package domain

import (
	"flag"
	"fmt"
	"testing"
)

// How many random cases the properties draw, unless -rapid.checks says otherwise. A case of the
// release properties protects and attacks up to four states of a year, hence fewer of them.
//
// Under the race detector the attacker's linear programmes run about twenty times slower, and
// what the detector is there for (the blocks widened at the same time, the pattern cache's
// shared computations) is met by a few cases: the properties then draw raceChecks and
// raceReleaseChecks. `make test` runs this package again without the race detector, where
// they draw their full count.
const (
	propertyChecks, raceChecks       = 100, 6
	releaseChecks, raceReleaseChecks = 25, 2
)

// withChecks sets how many cases the rapid properties of t draw: full, or race under the race
// detector; -rapid.checks given on the command line wins.
func withChecks(t *testing.T, full, race int) {
	t.Helper()
	f := flag.Lookup("rapid.checks")
	if f == nil || f.Value.String() != f.DefValue {
		return
	}
	n := full
	if raceEnabled {
		n = race
	}
	if err := f.Value.Set(fmt.Sprint(n)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Value.Set(f.DefValue) })
}

// withPropertyChecks is withChecks for the properties of one state of a year.
func withPropertyChecks(t *testing.T) { t.Helper(); withChecks(t, propertyChecks, raceChecks) }

// withReleaseChecks is withChecks for the properties of a sequence of releases.
func withReleaseChecks(t *testing.T) { t.Helper(); withChecks(t, releaseChecks, raceReleaseChecks) }

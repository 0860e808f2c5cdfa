//go:build !race

package domain

// raceEnabled says whether the tests run with the race detector, which makes the attacker's
// linear programmes several times slower.
const raceEnabled = false

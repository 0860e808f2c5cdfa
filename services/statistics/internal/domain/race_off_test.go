//go:build !race

package domain

// raceEnabled says whether the tests run with the race detector, which makes the attacker's
// linear programmes about twenty times slower.
const raceEnabled = false

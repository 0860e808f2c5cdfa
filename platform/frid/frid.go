// Package frid validates the French identifiers the services exchange: SIRET and SIREN numbers
// (INSEE's company register, with their Luhn keys) and INSEE commune codes.
package frid

import "regexp"

// laPosteSIREN is the one SIREN whose establishments' SIRET numbers do not satisfy the Luhn
// check: INSEE gives La Poste's thousands of establishments numbers whose digits sum to a
// multiple of 5 instead.
const laPosteSIREN = "356000000"

// ValidSIRET reports whether s is a SIRET: 14 digits whose Luhn key is valid (or, for La
// Poste, whose digit sum is a multiple of 5).
func ValidSIRET(s string) bool {
	if len(s) != 14 || !allDigits(s) {
		return false
	}
	if s[:9] == laPosteSIREN {
		sum := 0
		for i := range len(s) {
			sum += int(s[i] - '0')
		}
		return sum%5 == 0
	}
	return luhn(s)
}

// ValidSIREN reports whether s is a SIREN: 9 digits with a valid Luhn key.
func ValidSIREN(s string) bool {
	return len(s) == 9 && allDigits(s) && luhn(s)
}

func luhn(s string) bool {
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

var communePattern = regexp.MustCompile(`^(2[AB]|[0-9]{2})[0-9]{3}$`)

// ValidCommuneCode reports whether s has the form of an INSEE commune code: five characters, the
// département first ("71076"; Corsica's are 2A and 2B). Whether the commune exists is for the
// referential to say.
func ValidCommuneCode(s string) bool { return communePattern.MatchString(s) }

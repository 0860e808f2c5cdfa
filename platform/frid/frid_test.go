package frid

import "testing"

func TestValidSIRET(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"73282932000074", true},   // a real SIRET with a valid key
		{"73282932000075", false},  // last digit changed
		{"35600000000010", true},   // La Poste: digit sum 15, a multiple of 5 (the Luhn key fails)
		{"35600000000048", false},  // La Poste, digit sum 26
		{"7328293200007", false},   // 13 digits
		{"732829320000745", false}, // 15 digits
		{"7328293200007A", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidSIRET(tt.in); got != tt.want {
			t.Errorf("ValidSIRET(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

func TestValidSIREN(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"732829320", true},
		{"732829321", false},
		{"200070464", true},
		{"20007046", false},
		{"abcdefghi", false},
	}
	for _, tt := range tests {
		if got := ValidSIREN(tt.in); got != tt.want {
			t.Errorf("ValidSIREN(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

func TestValidCommuneCode(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{{"71076", true}, {"2A004", true}, {"2B033", true}, {"2C001", false}, {"7107", false}, {"71100 ", false}, {"", false}} {
		if got := ValidCommuneCode(tt.in); got != tt.want {
			t.Errorf("ValidCommuneCode(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

package pagetoken

import "testing"

func TestRoundTrip(t *testing.T) {
	q := Query("organisations", `kind = "ORGANISATION_KIND_ISCG"`)
	tok := Encode("organisations/iscg-louhannais", q)
	got, err := Decode(tok, q)
	if err != nil || got != "organisations/iscg-louhannais" {
		t.Fatalf("Decode(Encode(x)) = %q, %v; want x, nil", got, err)
	}
}

func TestDecodeRejects(t *testing.T) {
	q := Query("organisations", "")
	other := Query("organisations", `kind = "ORGANISATION_KIND_CAF"`)
	tests := []struct{ name, token string }{
		{"another query", Encode("organisations/a", other)},
		{"not base64", "!!!"},
		{"not json", "bm90IGpzb24"},
		{"empty key", Encode("", q)},
	}
	for _, tt := range tests {
		if got, err := Decode(tt.token, q); err != ErrInvalid {
			t.Errorf("%s: Decode(%q) = %q, %v; want ErrInvalid", tt.name, tt.token, got, err)
		}
	}
	if got, err := Decode("", q); got != "" || err != nil {
		t.Errorf(`Decode("") = %q, %v; want "", nil`, got, err)
	}
}

func TestSize(t *testing.T) {
	for _, tt := range []struct{ in, want int32 }{{0, 50}, {-3, 50}, {1, 1}, {999, 999}, {1000, 1000}, {5000, 1000}} {
		if got := Size(tt.in); got != int(tt.want) {
			t.Errorf("Size(%d) = %d; want %d", tt.in, got, tt.want)
		}
	}
}

package eventbus_test

import (
	"testing"

	"github.com/vif71/vif/platform/eventbus"
)

// The NATS binding's own example (section 3.1.3.2), plus what vif's values look like.
func TestHeaderValuesArePercentEncodedAsTheBindingSays(t *testing.T) {
	tests := []struct{ value, header string }{
		{"Euro € 😀", "Euro%20%E2%82%AC%20%F0%9F%98%80"},
		{`a "quoted" 100%`, "a%20%22quoted%22%20100%25"},
		{"cessions/c-12", "cessions/c-12"},
		{"https://type.googleapis.com/vif.fleet.v1.CessionChanged", "https://type.googleapis.com/vif.fleet.v1.CessionChanged"},
		{"2026-11-25T09:30:00.123456Z", "2026-11-25T09:30:00.123456Z"},
	}
	for _, tt := range tests {
		if got := eventbus.EncodeHeaderValue(tt.value); got != tt.header {
			t.Errorf("EncodeHeaderValue(%q) = %q; want %q", tt.value, got, tt.header)
		}
		if got, err := eventbus.DecodeHeaderValue(tt.header); err != nil || got != tt.value {
			t.Errorf("DecodeHeaderValue(%q) = %q, %v; want %q", tt.header, got, err, tt.value)
		}
	}
}

func TestDecodeHeaderValueAcceptsWhatOlderSendersWrote(t *testing.T) {
	tests := []struct{ header, value string }{
		{`"a \"b\" c"`, `a "b" c`}, // double-quoted, as the binding's earlier text allowed
		{"euro%e2%82%ac", "euro€"}, // lower-case hex
		{"%41bc", "Abc"},           // needlessly encoded
		{"vif.fleet.v1.CessionChanged", "vif.fleet.v1.CessionChanged"},
	}
	for _, tt := range tests {
		if got, err := eventbus.DecodeHeaderValue(tt.header); err != nil || got != tt.value {
			t.Errorf("DecodeHeaderValue(%q) = %q, %v; want %q", tt.header, got, err, tt.value)
		}
	}
	// An overlong encoding of a space is not UTF-8: the binding says to reject it.
	if got, err := eventbus.DecodeHeaderValue("%C0%A0"); err == nil {
		t.Errorf("DecodeHeaderValue(%%C0%%A0) = %q, nil; want an error", got)
	}
}

func TestDataSchemaIsAnAbsoluteURINamingTheMessage(t *testing.T) {
	const name = "vif.fleet.v1.CessionChanged"
	uri := eventbus.DataSchema(name)
	if uri != "https://type.googleapis.com/vif.fleet.v1.CessionChanged" {
		t.Errorf("DataSchema(%q) = %q", name, uri)
	}
	for _, in := range []string{uri, "type.googleapis.com/" + name, name} {
		if got := eventbus.MessageName(in); got != name {
			t.Errorf("MessageName(%q) = %q; want %q", in, got, name)
		}
	}
}

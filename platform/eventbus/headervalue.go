package eventbus

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// EncodeHeaderValue percent-encodes an attribute value for its ce- header as the NATS protocol
// binding requires (section 3.1.3.2): space, double quote, percent and every byte outside the
// printable ASCII range become %XY (upper-case hex) of their UTF-8 bytes; the rest is kept.
// vif's attribute values are ASCII tokens, so in practice the value comes out unchanged.
func EncodeHeaderValue(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c >= 0x7f || c == '"' || c == '%' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// DecodeHeaderValue is the reverse, for a reader: a double-quoted value is unquoted first (older
// versions of the binding allowed it), then percent-decoded once; a result that is not UTF-8 is
// an error, as the binding requires.
func DecodeHeaderValue(s string) (string, error) {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		var b strings.Builder
		for i := 1; i < len(s)-1; i++ {
			if s[i] == '\\' && i+1 < len(s)-1 {
				i++
			}
			b.WriteByte(s[i])
		}
		s = b.String()
	}
	// PathUnescape decodes %XY and, unlike QueryUnescape, leaves "+" alone.
	v, err := url.PathUnescape(s)
	if err != nil {
		return "", fmt.Errorf("header value %q: %w", s, err)
	}
	if !utf8.ValidString(v) {
		return "", fmt.Errorf("header value %q is not UTF-8 once decoded", s)
	}
	return v, nil
}

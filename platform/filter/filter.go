// Package filter parses the small subset of AIP-160 filters that the List methods accept:
// conditions `field = "value"` (or an unquoted value) joined by AND. It is deliberately narrow:
// an expression it does not understand is an error naming what was wrong, never a silent
// "match everything".
package filter

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Condition is one `field = value` term.
type Condition struct {
	Field string
	Value string
}

// Parse parses expr and checks every field is one of allowed. An empty expr has no conditions.
// A field may appear once.
func Parse(expr string, allowed ...string) ([]Condition, error) {
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	var out []Condition
	for i := 0; i < len(toks); {
		if len(out) > 0 {
			if toks[i].text != "AND" || toks[i].quoted {
				return nil, fmt.Errorf("expected AND before %q", toks[i].text)
			}
			i++
		}
		if i+3 > len(toks) {
			return nil, fmt.Errorf("incomplete condition at the end: want field = \"value\"")
		}
		field, op, value := toks[i], toks[i+1], toks[i+2]
		if field.quoted || !isIdent(field.text) {
			return nil, fmt.Errorf("expected a field name, got %q", field.text)
		}
		if !slices.Contains(allowed, field.text) {
			return nil, fmt.Errorf("unknown field %q: the filter accepts %s", field.text, strings.Join(allowed, ", "))
		}
		if op.quoted || op.text != "=" {
			return nil, fmt.Errorf("only = is supported, got %q after %s", op.text, field.text)
		}
		if !value.quoted && (value.text == "AND" || value.text == "=") {
			return nil, fmt.Errorf("missing value for %s", field.text)
		}
		for _, c := range out {
			if c.Field == field.text {
				return nil, fmt.Errorf("field %s appears twice", field.text)
			}
		}
		out = append(out, Condition{Field: field.text, Value: value.text})
		i += 3
	}
	return out, nil
}

// Value returns the value of field among conds, and whether it was there.
func Value(conds []Condition, field string) (string, bool) {
	for _, c := range conds {
		if c.Field == field {
			return c.Value, true
		}
	}
	return "", false
}

type token struct {
	text   string
	quoted bool
}

func lex(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '=':
			toks = append(toks, token{text: "="})
			i++
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated string starting at %d", i)
			}
			toks = append(toks, token{text: b.String(), quoted: true})
			i = j + 1
		default:
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '=' && s[j] != '"' && s[j] != '\n' && s[j] != '\r' {
				j++
			}
			toks = append(toks, token{text: s[i:j]})
			i = j
		}
	}
	return toks, nil
}

func isIdent(s string) bool {
	for i, r := range s {
		if !(r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))) {
			return false
		}
	}
	return s != ""
}

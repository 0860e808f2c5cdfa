package requestid

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func TestValid(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"0b3f7c1e-8a2d-4c55-9e1f-6a7b8c9d0e1f", true},
		{"01HZY3J9V5K8M2Q4R6T8W0X2Z4", true},
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", true},
		{"", false},
		{strings.Repeat("a", MaxLen+1), false},
		{"two words", false},
		{"line\nbreak", false},
		{"é", false},
	}
	for _, tt := range tests {
		if got := Valid(tt.id); got != tt.want {
			t.Errorf("Valid(%q) = %v; want %v", tt.id, got, tt.want)
		}
	}
	if id := New(); !Valid(id) || id == New() {
		t.Errorf("New() = %q; want a valid id, fresh each time", id)
	}
}

func TestHandlerAddsTheContextsID(t *testing.T) {
	var buf bytes.Buffer
	log := Logger(slog.New(slog.NewJSONHandler(&buf, nil))).With("service", "fleet")
	if Logger(log).Handler() != log.Handler() {
		t.Error("Logger wrapped an already wrapped logger again")
	}
	log.InfoContext(NewContext(context.Background(), "abc-123"), "with id")
	log.InfoContext(context.Background(), "without")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines; want 2: %s", len(lines), buf.String())
	}
	var first, second map[string]any
	_ = json.Unmarshal([]byte(lines[0]), &first)
	_ = json.Unmarshal([]byte(lines[1]), &second)
	if first[LogKey] != "abc-123" || first["service"] != "fleet" {
		t.Errorf("line %s; want request_id abc-123 and service fleet", lines[0])
	}
	if _, ok := second[LogKey]; ok {
		t.Errorf("line %s; want no request_id without one on the context", lines[1])
	}
}

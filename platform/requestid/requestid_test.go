package requestid

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
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

// TestHandlerAddsTheTraceOfARecordingSpan: a line logged while a span records carries its trace
// and span ids beside the request id; a span that does not record (tracing off) adds nothing.
func TestHandlerAddsTheTraceOfARecordingSpan(t *testing.T) {
	var buf bytes.Buffer
	log := Logger(slog.New(slog.NewJSONHandler(&buf, nil)))
	tp := sdktrace.NewTracerProvider()
	defer tp.Shutdown(context.Background())
	ctx, span := tp.Tracer("test").Start(NewContext(context.Background(), "abc-123"), "call")
	log.InfoContext(ctx, "traced")
	span.End()
	sc := span.SpanContext()
	remote := trace.ContextWithSpanContext(context.Background(), sc) // not recording here
	log.InfoContext(remote, "not traced")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines; want 2: %s", len(lines), buf.String())
	}
	var first, second map[string]any
	_ = json.Unmarshal([]byte(lines[0]), &first)
	_ = json.Unmarshal([]byte(lines[1]), &second)
	if first[TraceIDKey] != sc.TraceID().String() || first[SpanIDKey] != sc.SpanID().String() || first[LogKey] != "abc-123" {
		t.Errorf("line %s; want trace_id %s, span_id %s and request_id abc-123", lines[0], sc.TraceID(), sc.SpanID())
	}
	if _, ok := second[TraceIDKey]; ok {
		t.Errorf("line %s; want no trace_id without a recording span", lines[1])
	}
}

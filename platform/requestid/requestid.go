// Package requestid follows one call across the gateway and the services: an id generated at
// the edge when the client sent none (or one that is not usable), carried on the context, passed
// between processes as gRPC metadata, and written on every log line of the call by a slog
// handler that reads it from the context, with the trace and span ids when the call is traced.
package requestid

import (
	"context"
	"crypto/rand"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

// Header is the HTTP header that carries the id, both ways; MetadataKey is its gRPC metadata
// key. The gateway answers every request with the header.
const (
	Header      = "X-Request-Id"
	MetadataKey = "x-request-id"
)

// LogKey is the attribute every log line of a call carries.
const LogKey = "request_id"

// TraceIDKey and SpanIDKey are the attributes of a log line written while a span is recording
// (tracing is on, see platform/telemetry): the W3C trace id and span id, in hex.
const (
	TraceIDKey = "trace_id"
	SpanIDKey  = "span_id"
)

// MaxLen is the longest id accepted from a client.
const MaxLen = 128

// New returns a fresh id: 26 characters of base32, 128 bits of randomness.
func New() string { return rand.Text() }

// Valid reports whether a client's id may be kept: 1 to MaxLen characters among letters,
// digits and - _ . : (a UUID, a ULID, a W3C trace id all pass). Anything else, which could
// forge a log line or carry personal data, is replaced by a fresh id.
func Valid(id string) bool {
	if id == "" || len(id) > MaxLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

// OrNew returns id when it is Valid, else a fresh one.
func OrNew(id string) string {
	if Valid(id) {
		return id
	}
	return New()
}

type contextKey struct{}

// NewContext returns a copy of ctx carrying id.
func NewContext(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, contextKey{}, id)
}

// FromContext returns the id ctx carries, or "".
func FromContext(ctx context.Context) string {
	id, _ := ctx.Value(contextKey{}).(string)
	return id
}

// handler adds the context's request id to every record.
type handler struct{ slog.Handler }

// Handler wraps h so that a record logged with a context that carries an id gets a
// request_id attribute, and one logged with a context whose span is recording gets trace_id and
// span_id. Wrapping twice changes nothing.
func Handler(h slog.Handler) slog.Handler {
	if _, ok := h.(handler); ok {
		return h
	}
	return handler{h}
}

// Logger is l with its handler wrapped by Handler.
func Logger(l *slog.Logger) *slog.Logger {
	if _, ok := l.Handler().(handler); ok {
		return l
	}
	return slog.New(Handler(l.Handler()))
}

func (h handler) Handle(ctx context.Context, r slog.Record) error {
	id := FromContext(ctx)
	span := trace.SpanFromContext(ctx)
	recording := span.IsRecording()
	if id == "" && !recording {
		return h.Handler.Handle(ctx, r)
	}
	r = r.Clone()
	if id != "" {
		r.AddAttrs(slog.String(LogKey, id))
	}
	if recording {
		// The span of the call being traced (telemetry): a log line leads to its trace.
		sc := span.SpanContext()
		r.AddAttrs(slog.String(TraceIDKey, sc.TraceID().String()), slog.String(SpanIDKey, sc.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return handler{h.Handler.WithAttrs(attrs)}
}

func (h handler) WithGroup(name string) slog.Handler { return handler{h.Handler.WithGroup(name)} }

package telemetry

import (
	"context"

	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// Trace context on events. An event carries the context of the call that made it twice, with the
// same value: as the W3C "traceparent" header, which OpenTelemetry's propagators read, and as
// "ce-traceparent", the traceparent attribute of the CloudEvents distributed tracing extension in
// binary mode (an extension attribute is a "ce-" header in the NATS binding), which the
// extension wants equal to the protocol's own tracing header on a single hop.
const (
	HeaderTraceParent   = "traceparent"
	HeaderCETraceParent = "ce-traceparent"
)

// Traceparent returns the W3C traceparent of the span ctx carries ("00-<trace>-<span>-<flags>"),
// or "" when ctx has no valid span context (tracing off, or no span started).
func Traceparent(ctx context.Context) string {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ""
	}
	c := carrier{}
	Propagator.Inject(ctx, c)
	return c[HeaderTraceParent]
}

// WithTraceparent returns ctx with the remote span context a traceparent names as the parent of
// the spans started from it; an empty or malformed value leaves ctx as it is.
func WithTraceparent(ctx context.Context, traceparent string) context.Context {
	if traceparent == "" {
		return ctx
	}
	return Propagator.Extract(ctx, carrier{HeaderTraceParent: traceparent})
}

// InjectMessage writes the span context of ctx on the headers of a message (a nats.Header:
// traceparent and ce-traceparent); nothing when ctx has none.
func InjectMessage(ctx context.Context, h map[string][]string) {
	if tp := Traceparent(ctx); tp != "" {
		h[HeaderTraceParent] = []string{tp}
		h[HeaderCETraceParent] = []string{tp}
	}
}

// FromMessage returns ctx with the span context the traceparent header of a message (a
// nats.Header) names, for a subscriber to continue the trace of the call that made the event.
func FromMessage(ctx context.Context, h map[string][]string) context.Context {
	if v := h[HeaderTraceParent]; len(v) == 1 {
		return WithTraceparent(ctx, v[0])
	}
	return ctx
}

// carrier is a propagation.TextMapCarrier over one map, keys as the W3C propagator writes them
// (lower case).
type carrier map[string]string

func (c carrier) Get(key string) string { return c[key] }
func (c carrier) Set(key, value string) { c[key] = value }
func (c carrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

// StartProcessing starts the span of a subscriber handling one event: a consumer span, child
// of the publish span the message's traceparent names, so the subscriber's work lands in the
// trace of the call that made the event. subject is the message's subject, id its ce-id. With
// tracing off the span is a no-op one that still carries the message's context, so the log
// lines and the calls the subscriber makes can pass it on.
func StartProcessing(ctx context.Context, h map[string][]string, subject, id string) (context.Context, trace.Span) {
	return Tracer().Start(FromMessage(ctx, h), "process "+subject, trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			semconv.MessagingSystemKey.String("nats"),
			semconv.MessagingOperationTypeProcess,
			semconv.MessagingOperationName("process"),
			semconv.MessagingDestinationName(subject),
			semconv.MessagingMessageID(id),
		))
}

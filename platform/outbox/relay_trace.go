package outbox

import (
	"context"

	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/vif71/vif/platform/telemetry"
)

// traceSend starts the span of ev's publish, a child of the call that wrote ev (its stored
// traceparent), and writes the span's context on msg (traceparent, ce-traceparent), so that a
// subscriber continues the trace. The returned function ends the span with the publish's
// outcome.
//
// A child rather than a link: the publish is the last step of the call's work, usually
// milliseconds after its commit, and a child keeps the whole call (REST request, service,
// directory, event, subscriber) in one trace. A row published much later (the bus was down)
// still lands in its call's trace, late, which is what one investigating it wants to see.
//
// With tracing off no span is started; a row written while tracing was on still gets its
// traceparent on the message, so the trace goes on past this process.
func (ev row) traceSend(ctx context.Context, msg *nats.Msg) (context.Context, func(error)) {
	ctx = telemetry.WithTraceparent(ctx, ev.traceParent.String)
	if !telemetry.Enabled() {
		telemetry.InjectMessage(ctx, msg.Header)
		return ctx, func(error) {}
	}
	ctx, span := telemetry.Tracer().Start(ctx, "send "+ev.subject, trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(
			semconv.MessagingSystemKey.String("nats"),
			semconv.MessagingOperationTypeSend,
			semconv.MessagingOperationName("send"),
			semconv.MessagingDestinationName(ev.subject),
			semconv.MessagingMessageID(ev.id),
		))
	telemetry.InjectMessage(ctx, msg.Header)
	return ctx, func(err error) {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, "publish failed")
		}
		span.End()
	}
}

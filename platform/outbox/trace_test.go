package outbox_test

import (
	"context"
	"database/sql"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/telemetry"
	"github.com/vif71/vif/platform/telemetry/telemetrytest"
)

// commitIn is commit with the caller's context: the one of a call being served.
func (f *fixture) commitIn(t *testing.T, ctx context.Context, events ...outbox.Event) {
	t.Helper()
	err := f.db.InTx(ctx, func(tx *sql.Tx) error {
		for _, ev := range events {
			if err := outbox.Add(ctx, tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("commit %d events: %v", len(events), err)
	}
	f.relay.Notify()
}

func (f *fixture) storedTraceparent(t *testing.T, id string) sql.NullString {
	t.Helper()
	var tp sql.NullString
	if err := f.db.QueryRowContext(context.Background(), `SELECT trace_parent FROM outbox WHERE id = $1`, id).Scan(&tp); err != nil {
		t.Fatal(err)
	}
	return tp
}

// TestEventCarriesTheTraceOfTheCallThatMadeIt: with tracing on, the event written in a traced
// call stores the call's traceparent, the relay's publish span is a child of the call's span, and
// the message carries the publish span's context as traceparent and ce-traceparent, on SQLite
// and PostgreSQL.
func TestEventCarriesTheTraceOfTheCallThatMadeIt(t *testing.T) {
	spans := telemetrytest.Record(t)
	forEachDatabase(t, func(t *testing.T, f *fixture) {
		ctx, call := telemetry.Tracer().Start(context.Background(), "call")
		ev := events(1)[0]
		f.commitIn(t, ctx, ev)
		call.End()
		want := call.SpanContext()
		if got := f.storedTraceparent(t, ev.ID); got.String != telemetry.Traceparent(ctx) || got.String == "" {
			t.Errorf("stored trace_parent = %q; want the call's %q", got.String, telemetry.Traceparent(ctx))
		}
		f.run(t)
		msg := consumeAll(t, f.js, 1)[0]

		var send *trace.SpanContext
		for _, s := range telemetrytest.Trace(spans.GetSpans(), want.TraceID()) {
			if s.Name == "send "+ev.Subject && s.Parent.SpanID() == want.SpanID() {
				if s.SpanKind != trace.SpanKindProducer {
					t.Errorf("span %q kind = %v; want producer", s.Name, s.SpanKind)
				}
				sc := s.SpanContext
				send = &sc
			}
		}
		if send == nil {
			t.Fatalf("no span %q child of the call's span in trace %s; spans: %v", "send "+ev.Subject, want.TraceID(), spans.GetSpans())
		}
		h := msg.Headers()
		wantHeader := "00-" + send.TraceID().String() + "-" + send.SpanID().String() + "-01"
		if got := h.Get(telemetry.HeaderTraceParent); got != wantHeader {
			t.Errorf("message traceparent = %q; want the publish span's %q", got, wantHeader)
		}
		if got := h.Get(telemetry.HeaderCETraceParent); got != wantHeader {
			t.Errorf("message ce-traceparent = %q; want %q, the same as traceparent", got, wantHeader)
		}
	})
}

// TestNoTraceWhenTracingIsOff: with tracing off, an event stores no trace context (NULL, not an
// empty string), and its message carries no traceparent, even when the writer's context holds a
// span context someone else made.
func TestNoTraceWhenTracingIsOff(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, f *fixture) {
		sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled})
		ctx := trace.ContextWithSpanContext(context.Background(), sc)
		ev := events(1)[0]
		f.commitIn(t, ctx, ev)
		if got := f.storedTraceparent(t, ev.ID); got.Valid {
			t.Errorf("stored trace_parent = %q; want NULL with tracing off", got.String)
		}
		f.run(t)
		msg := consumeAll(t, f.js, 1)[0]
		for _, name := range []string{telemetry.HeaderTraceParent, telemetry.HeaderCETraceParent} {
			if v, ok := msg.Headers()[name]; ok {
				t.Errorf("message header %s = %q; want none with tracing off", name, v)
			}
		}
	})
}

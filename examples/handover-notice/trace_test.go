package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/proto"

	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/eventbus/eventbustest"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/requestid"
	"github.com/vif71/vif/platform/telemetry"
	"github.com/vif71/vif/platform/telemetry/telemetrytest"
)

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestHandlingContinuesTheEventsTrace: a handover whose message carries a traceparent, as the
// relay sends it when the suite traces, is handled in a consumer span that is a child of the
// span the traceparent names, and the program's log line of it carries that trace's id.
func TestHandlingContinuesTheEventsTrace(t *testing.T) {
	spans := telemetrytest.Record(t)
	bus := eventbustest.Start(t)
	js := bus.JetStream(t)

	ctx, send := telemetry.Tracer().Start(context.Background(), "send "+subject, trace.WithSpanKind(trace.SpanKindProducer))
	send.End()
	data, err := proto.Marshal(handedOver("2025-traced"))
	if err != nil {
		t.Fatal(err)
	}
	id := outbox.NewID()
	msg := nats.NewMsg(subject)
	msg.Data = data
	msg.Header.Set(jetstream.MsgIDHeader, id)
	msg.Header.Set(eventbus.HeaderID, id)
	msg.Header.Set(eventbus.HeaderDataSchema, eventbus.DataSchema(handedOver("").ProtoReflect().Descriptor().FullName()))
	telemetry.InjectMessage(ctx, msg.Header)
	pctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := js.PublishMsg(pctx, msg); err != nil {
		t.Fatal(err)
	}

	logs := &lockedBuffer{}
	out := filepath.Join(t.TempDir(), "notices")
	rctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(rctx, []string{"--nats-url", bus.URL, "--nats-creds", bus.Creds(eventbus.Reader), "--out", out}, logs)
	}()
	defer func() {
		stop()
		<-done
	}()
	waitSettled(t, js, 1)

	parent := send.SpanContext()
	processed := func() bool {
		for _, s := range telemetrytest.Trace(spans.GetSpans(), parent.TraceID()) {
			if s.Name == "process "+subject && s.Parent.SpanID() == parent.SpanID() && s.SpanKind == trace.SpanKindConsumer {
				return true
			}
		}
		return false
	}
	// The span ends once the handler returns, just after the ack.
	deadline := time.Now().Add(waitTimeout)
	for !processed() {
		if time.Now().After(deadline) {
			t.Fatalf("no consumer span %q child of the message's traceparent; spans: %v", "process "+subject, spans.GetSpans())
		}
		time.Sleep(10 * time.Millisecond)
	}
	want := requestid.TraceIDKey + "=" + parent.TraceID().String()
	var logged bool
	for _, line := range strings.Split(logs.String(), "\n") {
		logged = logged || strings.Contains(line, `msg="event handled"`) && strings.Contains(line, want)
	}
	if !logged {
		t.Errorf("log %q; want the line of the handled event with %s", logs.String(), want)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/grpcserver/grpctest"
	"github.com/vif71/vif/platform/requestid"
	"github.com/vif71/vif/platform/telemetry"
	"github.com/vif71/vif/platform/telemetry/telemetrytest"
)

// jsonLog is a JSON log sink the parts may write to from several goroutines.
type jsonLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *jsonLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *jsonLog) lines() []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(l.buf.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// proposeCession registers and retires a vehicle and proposes its cession to a garage solidaire
// through the REST API, and returns the response of the proposal: the call whose trace is
// followed (the fleet service checks the beneficiary with the directory, then writes the
// cession and its event).
func proposeCession(t *testing.T, in *instance, dataDir, id string) response {
	t.Helper()
	base := "http://" + in.httpAddr
	fleet := tokenFor(t, dataDir, "--role", "fleet")
	reader := tokenFor(t, dataDir, "--role", "reader")
	if !grpctest.Within(seedWait, 50*time.Millisecond, func() bool {
		return call(t, "GET", base+"/v1/organisations/garage-solidaire-bourgogne", reader, "").status == 200
	}) {
		t.Fatal("the directory's seed did not finish")
	}
	register := "/v1/vehicles" + query("vehicleId", id, "initialReading.readingDate.year", "2016",
		"initialReading.readingDate.month", "1", "initialReading.readingDate.day", "10", "initialReading.odometerKm", "12000")
	if r := call(t, "POST", base+register, fleet, `{"vin":"VF1RFB00X51234567","plate":"AB-123-CD","make":"Renault","model":"Clio","firstRegistrationDate":{"year":2015,"month":3,"day":1}}`); r.status != 200 {
		t.Fatalf("register = %d %v", r.status, r.body)
	}
	if r := call(t, "POST", base+"/v1/vehicles/"+id+":retire", fleet, `{"retireDate":{"year":2026,"month":1,"day":5}}`); r.status != 200 {
		t.Fatalf("retire = %d %v", r.status, r.body)
	}
	propose := "/v1/cessions" + query("cessionId", id+"-garage", "proposeDate.year", "2026", "proposeDate.month", "1", "proposeDate.day", "12")
	return call(t, "POST", base+propose, fleet, `{"vehicle":"vehicles/`+id+`","beneficiary":"organisations/garage-solidaire-bourgogne"}`)
}

// receiveEvent reads, as an outside subscriber with the read-only credentials, the event on
// subject about resource, and handles it as examples/handover-notice does: in the span that
// continues the event's trace (telemetry.StartProcessing).
func receiveEvent(t *testing.T, in *instance, dataDir, subject, resource string) jetstream.Msg {
	t.Helper()
	creds, err := nats.NkeyOptionFromSeed(readerCreds(t, dataDir))
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(in.natsURL, creds)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cons, err := js.OrderedConsumer(ctx, eventbus.StreamName, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}})
	if err != nil {
		t.Fatal(err)
	}
	for ctx.Err() == nil {
		msg, err := cons.Next(jetstream.FetchMaxWait(time.Second))
		if err != nil {
			continue
		}
		if msg.Headers().Get(eventbus.HeaderSubject) != resource {
			continue
		}
		_, span := telemetry.StartProcessing(context.Background(), msg.Headers(), msg.Subject(), msg.Headers().Get(eventbus.HeaderID))
		span.End()
		return msg
	}
	t.Fatalf("no event %s about %s", subject, resource)
	return nil
}

// TestOneTracePerRequest: with tracing on, one REST call gives one trace: the gateway's span,
// the fleet service's, its call to the directory, the relay's publish of the event and the
// subscriber's handling of it, each the child of the one before; the event carries the
// publish's traceparent; the log lines of the call carry its trace id beside its request id.
func TestOneTracePerRequest(t *testing.T) {
	spans := telemetrytest.Record(t)
	dataDir := t.TempDir()
	logs := &jsonLog{}
	in, _ := startEmbedded(t, dataDir, func(s *settings) {
		// Debug: the fleet's rpc line of a call from the gateway in process is at debug level.
		s.log = slog.New(requestid.Handler(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	})
	if r := proposeCession(t, in, dataDir, "traced-clio"); r.status != 200 {
		t.Fatalf("propose = %d %v; want 200", r.status, r.body)
	}
	const subject = "vif.fleet.v1.cession.proposed"
	msg := receiveEvent(t, in, dataDir, subject, "cessions/traced-clio-garage")
	headers := msg.Headers()

	// The gateway ends its span after writing the response: it may come a moment after it.
	grpctest.Within(10*time.Second, 10*time.Millisecond, func() bool {
		return telemetrytest.Named(spans.GetSpans(), "POST /v1/cessions") != nil
	})
	all := spans.GetSpans()
	root := telemetrytest.Named(all, "POST /v1/cessions")
	if root == nil {
		t.Fatalf("no gateway span %q; spans: %v", "POST /v1/cessions", names(all))
	}
	id := root.SpanContext.TraceID()
	// The relay ends its publish span when it reads JetStream's ack, which may come after the
	// subscriber already holds the message: wait for that span, in this call's trace (the seed's
	// cessions have publish spans of the same name, in traces of their own), before reading it.
	// Not Eventually: without it, the checks below still report the spans there are.
	grpctest.Within(10*time.Second, 10*time.Millisecond, func() bool {
		return findSpan(telemetrytest.Trace(spans.GetSpans(), id), "send "+subject, trace.SpanKindProducer) != nil
	})
	trace1 := telemetrytest.Trace(spans.GetSpans(), id)
	// Each step and the one it must be the child of.
	chain := []struct {
		name string
		kind trace.SpanKind
	}{
		{"POST /v1/cessions", trace.SpanKindServer},
		{"vif.fleet.v1.FleetService/ProposeCession", trace.SpanKindClient},
		{"vif.fleet.v1.FleetService/ProposeCession", trace.SpanKindServer},
		{"vif.directory.v1.DirectoryService/GetOrganisation", trace.SpanKindClient},
		{"vif.directory.v1.DirectoryService/GetOrganisation", trace.SpanKindServer},
	}
	var parents []trace.SpanID
	for _, step := range chain {
		s := findSpan(trace1, step.name, step.kind)
		if s == nil {
			t.Fatalf("trace %s has no %v span %q; it has %v", id, step.kind, step.name, names(trace1))
		}
		if len(parents) > 0 && s.Parent.SpanID() != parents[len(parents)-1] {
			t.Errorf("%v span %q has parent %s; want the span before it, %s", step.kind, step.name, s.Parent.SpanID(), parents[len(parents)-1])
		}
		parents = append(parents, s.SpanContext.SpanID())
	}
	fleetServer := findSpan(trace1, "vif.fleet.v1.FleetService/ProposeCession", trace.SpanKindServer)
	send := findSpan(trace1, "send "+subject, trace.SpanKindProducer)
	if send == nil || send.Parent.SpanID() != fleetServer.SpanContext.SpanID() {
		t.Fatalf("relay span = %v; want a producer span %q in trace %s, child of the fleet's span; trace: %v", send, "send "+subject, id, names(trace1))
	}
	if got, want := headers.Get(telemetry.HeaderTraceParent), "00-"+id.String()+"-"+send.SpanContext.SpanID().String()+"-01"; got != want {
		t.Errorf("event traceparent = %q; want the publish span's %q", got, want)
	}
	// A CloudEvents reader sees the same context as the traceparent attribute of the distributed
	// tracing extension, and still a valid event.
	ev, err := binding.ToEvent(context.Background(), newNATSMessage(headers, msg.Data()))
	if err != nil {
		t.Fatalf("sdk-go cannot read the traced event: %v", err)
	}
	if err := ev.Validate(); err != nil {
		t.Errorf("sdk-go Validate of the traced event: %v", err)
	}
	if got := ev.Extensions()["traceparent"]; got != headers.Get(telemetry.HeaderTraceParent) {
		t.Errorf("CloudEvents extension traceparent = %v; want %q, the traceparent header", got, headers.Get(telemetry.HeaderTraceParent))
	}
	process := findSpan(trace1, "process "+subject, trace.SpanKindConsumer)
	if process == nil || process.Parent.SpanID() != send.SpanContext.SpanID() {
		t.Errorf("subscriber span = %v; want a consumer span %q, child of the publish span; trace: %v", process, "process "+subject, names(trace1))
	}

	var logged bool
	for _, line := range logs.lines() {
		if line["msg"] == "rpc" && line["method"] == "/vif.fleet.v1.FleetService/ProposeCession" {
			logged = line[requestid.TraceIDKey] == id.String() && line[requestid.SpanIDKey] == fleetServer.SpanContext.SpanID().String() && line[requestid.LogKey] != nil
		}
	}
	if !logged {
		t.Errorf("no rpc log line of ProposeCession with trace_id %s, the fleet span's span_id and a request_id", id)
	}
}

// TestNothingTracedWhenTracingIsOff: with tracing off (no OTEL_* variable), the same call stores
// no trace context with its event, which goes out without traceparent, and no log line carries a
// trace id.
func TestNothingTracedWhenTracingIsOff(t *testing.T) {
	if telemetry.Enabled() {
		t.Fatal("tracing is on before the test")
	}
	dataDir := t.TempDir()
	logs := &jsonLog{}
	in, _ := startEmbedded(t, dataDir, func(s *settings) {
		s.log = slog.New(requestid.Handler(slog.NewJSONHandler(logs, nil)))
	})
	if r := proposeCession(t, in, dataDir, "untraced-clio"); r.status != 200 {
		t.Fatalf("propose = %d %v; want 200", r.status, r.body)
	}
	headers := receiveEvent(t, in, dataDir, "vif.fleet.v1.cession.proposed", "cessions/untraced-clio-garage").Headers()
	for _, h := range []string{telemetry.HeaderTraceParent, telemetry.HeaderCETraceParent} {
		if v, ok := headers[h]; ok {
			t.Errorf("event header %s = %q with tracing off; want none", h, v)
		}
	}
	for _, line := range logs.lines() {
		if _, ok := line[requestid.TraceIDKey]; ok {
			t.Errorf("log line %v carries a trace id with tracing off", line)
			break
		}
	}
}

func findSpan(spans tracetest.SpanStubs, name string, kind trace.SpanKind) *tracetest.SpanStub {
	for i := range spans {
		if spans[i].Name == name && spans[i].SpanKind == kind {
			return &spans[i]
		}
	}
	return nil
}

func names(spans tracetest.SpanStubs) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Name
	}
	return out
}

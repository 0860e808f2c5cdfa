package gateway

import (
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/vif71/vif/platform/requestid"
	"github.com/vif71/vif/platform/telemetry/telemetrytest"
)

// TestRequestIsTracedWithoutSecrets: with tracing on, a REST call gives a server span named by
// its route, whose child is the gRPC call to the service; no attribute holds the query string or
// the bearer token; a client's traceparent is linked, not continued; the access log line carries
// the trace id.
func TestRequestIsTracedWithoutSecrets(t *testing.T) {
	spans := telemetrytest.Record(t)
	e := newGateway(t, nil)
	const clientTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	resp, body := e.do(t, "GET", "/v1/networks/chalonnais", nil, map[string]string{
		"Authorization": "Bearer secret-token",
		"traceparent":   "00-" + clientTrace + "-00f067aa0ba902b7-01",
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/networks/chalonnais = %d %s; want 200", resp.StatusCode, body)
	}
	// A query string the API refuses (400) is traced too, without it.
	if resp, body := e.do(t, "GET", "/v1/networks/chalonnais?siret=secret-in-query", nil, nil); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("GET with an unknown parameter = %d %s; want 400", resp.StatusCode, body)
	}
	const route = "GET /v1/{name=networks/*}"
	server := telemetrytest.Named(spans.GetSpans(), route)
	if server == nil {
		t.Fatalf("no span %q; spans: %v", route, spans.GetSpans())
	}
	if server.SpanKind != trace.SpanKindServer {
		t.Errorf("span %q kind = %v; want server", server.Name, server.SpanKind)
	}
	id := server.SpanContext.TraceID()
	if id.String() == clientTrace || server.Parent.IsValid() {
		t.Errorf("span %q continues the client's trace (parent %v); want a new trace linked to it", server.Name, server.Parent)
	}
	if len(server.Links) != 1 || server.Links[0].SpanContext.TraceID().String() != clientTrace {
		t.Errorf("span %q links = %v; want one, to the client's trace %s", server.Name, server.Links, clientTrace)
	}
	client := telemetrytest.Named(spans.GetSpans(), directoryService+"/GetNetwork")
	if client == nil || client.Parent.SpanID() != server.SpanContext.SpanID() || client.SpanKind != trace.SpanKindClient {
		t.Errorf("gRPC client span = %+v; want a client span %s/GetNetwork, child of %q", client, directoryService, server.Name)
	}
	if len(spans.GetSpans()) != 3 {
		t.Errorf("%d spans; want 3 (two requests, one gRPC call): %v", len(spans.GetSpans()), spans.GetSpans())
	}
	for _, s := range spans.GetSpans() {
		for _, kv := range s.Attributes {
			if v := kv.Value.String(); strings.Contains(v, "secret") {
				t.Errorf("span %q attribute %s = %q; want no query string or token in a span", s.Name, kv.Key, v)
			}
		}
	}
	var logged bool
	for _, line := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(line, `msg="http request"`) && strings.Contains(line, requestid.TraceIDKey+"="+id.String()) {
			logged = strings.Contains(line, requestid.LogKey+"=")
		}
	}
	if !logged {
		t.Errorf("access log %q; want its line with trace_id=%s and request_id", e.logs.String(), id)
	}
}

// TestNoSpanWhenTracingIsOff: with tracing off, the gateway starts no span (nothing to export)
// and sends no traceparent to the service.
func TestNoSpanWhenTracingIsOff(t *testing.T) {
	e := newGateway(t, nil)
	resp, body := e.do(t, "GET", "/v1/networks/chalonnais", nil, map[string]string{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET = %d %s; want 200", resp.StatusCode, body)
	}
	if got := e.backend.dir.metadata().Get("traceparent"); len(got) != 0 {
		t.Errorf("service got traceparent %q with tracing off; want none", got)
	}
	if strings.Contains(e.logs.String(), requestid.TraceIDKey) {
		t.Errorf("logs %q carry a trace id with tracing off", e.logs.String())
	}
}

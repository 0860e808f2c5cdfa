package telemetry_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/vif71/vif/platform/telemetry"
)

func TestWanted(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want bool
	}{
		{nil, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, true},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, true},
		{map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, true},
		{map[string]string{"OTEL_TRACES_EXPORTER": "console"}, true},
		{map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, false},
		{map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, false},
		{map[string]string{"OTEL_SDK_DISABLED": "false", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, true},
		{map[string]string{"OTEL_SERVICE_NAME": "vif-fleet"}, false},
	}
	for _, tt := range tests {
		if got := telemetry.Wanted(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("Wanted(%v) = %v; want %v", tt.env, got, tt.want)
		}
	}
}

// collector is an OTLP/HTTP trace receiver: it keeps the export requests it gets.
type collector struct {
	mu       sync.Mutex
	requests []*coltracepb.ExportTraceServiceRequest
	url      string
}

func startCollector(t *testing.T) *collector {
	c := &collector{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req coltracepb.ExportTraceServiceRequest
		if r.URL.Path != "/v1/traces" || proto.Unmarshal(body, &req) != nil {
			t.Errorf("collector got %s %s; want an OTLP export on /v1/traces", r.Method, r.URL.Path)
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		c.requests = append(c.requests, &req)
		c.mu.Unlock()
		out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(out)
	}))
	t.Cleanup(srv.Close)
	c.url = srv.URL
	return c
}

// spans returns "service.name/span name" of every span received.
func (c *collector) spans() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, req := range c.requests {
		for _, rs := range req.GetResourceSpans() {
			service := ""
			for _, kv := range rs.GetResource().GetAttributes() {
				if kv.GetKey() == "service.name" {
					service = kv.GetValue().GetStringValue()
				}
			}
			for _, ss := range rs.GetScopeSpans() {
				for _, s := range ss.GetSpans() {
					out = append(out, service+"/"+s.GetName())
				}
			}
		}
	}
	return out
}

// TestSetupExportsToTheOTLPEndpointOfTheEnvironment: the standard variables alone send the
// spans, over OTLP/HTTP, to the collector they name, under OTEL_SERVICE_NAME; shutting down
// flushes them and turns tracing off.
func TestSetupExportsToTheOTLPEndpointOfTheEnvironment(t *testing.T) {
	c := startCollector(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", c.url)
	t.Setenv("OTEL_SERVICE_NAME", "vif-test")
	ctx := context.Background()
	shutdown, err := telemetry.Setup(ctx, "fleet")
	if err != nil {
		t.Fatal(err)
	}
	if !telemetry.Enabled() {
		t.Fatal("Enabled() = false after Setup with OTEL_EXPORTER_OTLP_ENDPOINT set; want true")
	}
	_, span := telemetry.Tracer().Start(ctx, "work")
	span.End()
	if err := shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if got := c.spans(); len(got) != 1 || got[0] != "vif-test/work" {
		t.Errorf("collector received %q; want [vif-test/work]", got)
	}
	if telemetry.Enabled() {
		t.Error("Enabled() = true after shutdown; want false")
	}
}

// TestSetupWithoutTheVariablesTracesNothing: with no endpoint, or with OTEL_SDK_DISABLED=true,
// Setup installs nothing: tracing stays off and nothing reaches a collector.
func TestSetupWithoutTheVariablesTracesNothing(t *testing.T) {
	c := startCollector(t)
	for _, env := range []map[string]string{
		{},
		{"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": c.url},
		{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": c.url},
	} {
		for _, k := range []string{"OTEL_SDK_DISABLED", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_TRACES_EXPORTER"} {
			t.Setenv(k, env[k])
		}
		ctx := context.Background()
		shutdown, err := telemetry.Setup(ctx, "fleet")
		if err != nil {
			t.Fatal(err)
		}
		if telemetry.Enabled() {
			t.Errorf("Enabled() = true with %v; want false", env)
		}
		_, span := telemetry.Tracer().Start(ctx, "work")
		if span.IsRecording() {
			t.Errorf("span recording with %v; want a no-op span", env)
		}
		span.End()
		if err := shutdown(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.spans(); len(got) != 0 {
		t.Errorf("collector received %q with tracing off; want nothing", got)
	}
}

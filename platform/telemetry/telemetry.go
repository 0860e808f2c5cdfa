// Package telemetry is vif's distributed tracing, set up once per process from the standard
// OpenTelemetry environment: a tracer provider exporting through OTLP (or what
// OTEL_TRACES_EXPORTER names), the W3C Trace Context propagator, and the switch every
// instrumented part reads (Enabled).
//
// Tracing is off unless asked for. When it is off nothing is installed: the gRPC servers and
// clients get no stats handler, the gateway no HTTP middleware, the outbox stores no trace
// context and the relay starts no span, so a process that does not trace pays nothing for it.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"

	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/vif71/vif/platform/version"
)

// The standard variables that turn tracing on (see Wanted).
const (
	envSDKDisabled    = "OTEL_SDK_DISABLED"
	envTracesExporter = "OTEL_TRACES_EXPORTER"
	envEndpoint       = "OTEL_EXPORTER_OTLP_ENDPOINT"
	envTracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
)

// InstrumentationName names the tracer of vif's own spans (the relay's publish, a subscriber's
// processing).
const InstrumentationName = "github.com/vif71/vif/platform/telemetry"

// enabled is set once a tracer provider is installed.
var enabled atomic.Bool

// Enabled reports whether this process traces. The instrumented parts read it when they are
// built (a gRPC server, a client connection, the gateway's handler) or on each event (the
// outbox): build them after Setup.
func Enabled() bool { return enabled.Load() }

// Propagator is the one context format vif passes on, on gRPC metadata, HTTP headers and event
// messages alike: W3C Trace Context (traceparent, tracestate).
var Propagator propagation.TextMapPropagator = propagation.TraceContext{}

// Wanted reports whether the environment asks for traces: OTEL_SDK_DISABLED is not "true", and
// either an OTLP endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) or OTEL_TRACES_EXPORTER names an exporter other than
// "none" ("otlp", "console"). Nothing set means no tracing: the SDK's own default (OTLP to
// localhost:4318) would send to a collector that is not there.
func Wanted(getenv func(string) string) bool {
	if strings.EqualFold(strings.TrimSpace(getenv(envSDKDisabled)), "true") {
		return false
	}
	if exp := strings.TrimSpace(getenv(envTracesExporter)); exp != "" {
		return exp != "none"
	}
	return getenv(envEndpoint) != "" || getenv(envTracesEndpoint) != ""
}

// Setup installs the process's tracer provider when the environment asks for traces (Wanted),
// for the service named service (OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override it),
// and returns the function that flushes the spans still buffered and stops it: call it when the
// process stops. When tracing is not wanted it installs nothing and the function does nothing.
//
// The exporter is chosen by contrib's autoexport from the standard variables
// (OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf by default, or grpc) and
// configured by them (OTEL_EXPORTER_OTLP_ENDPOINT, _HEADERS, _TIMEOUT, _CERTIFICATE…); the
// sampler by OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG (parent-based, always on, by
// default), the batching by OTEL_BSP_*. Those are read from the process environment, where the
// SDK reads them.
func Setup(ctx context.Context, service string) (shutdown func(context.Context) error, err error) {
	if !Wanted(os.Getenv) {
		return func(context.Context) error { return nil }, nil
	}
	exp, err := autoexport.NewSpanExporter(ctx)
	if err != nil {
		return nil, fmt.Errorf("telemetry: trace exporter: %w", err)
	}
	res, err := resource.New(ctx,
		// Later detectors win: the environment overrides the defaults given here.
		resource.WithAttributes(semconv.ServiceName(service), semconv.ServiceVersion(version.Get().Version)),
		resource.WithTelemetrySDK(),
		resource.WithFromEnv(),
	)
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("telemetry: resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	restore := Install(tp)
	return func(ctx context.Context) error {
		restore()
		return tp.Shutdown(ctx)
	}, nil
}

// Install makes tp the process's tracer provider, with Propagator, and turns Enabled on; the
// returned function turns it off again and puts the no-op provider back. Setup calls it; a test
// calls it with an SDK provider over an in-memory exporter (sdk/trace/tracetest).
func Install(tp trace.TracerProvider) (restore func()) {
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(Propagator)
	enabled.Store(true)
	return func() {
		enabled.Store(false)
		otel.SetTracerProvider(noop.NewTracerProvider())
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
	}
}

// Tracer returns vif's own tracer from the installed provider (a no-op one when tracing is off).
func Tracer() trace.Tracer { return otel.GetTracerProvider().Tracer(InstrumentationName) }

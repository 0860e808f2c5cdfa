package gateway

import (
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// traced gives each request a server span (otelhttp) when tracing is on (telemetry.Enabled when
// Handler is called); the calls to the services are its children (grpcclient's otelgrpc).
//
// The span is named by the request's method until routing names its route (nameSpan). Its
// attributes are otelhttp's: method, scheme, path, status, peer and user agent; never the query
// string (filters may carry a SIRET or a name) nor a header, so never the bearer token.
//
// The gateway is a public endpoint: a traceparent sent by a client is linked to, not continued,
// so a client can neither choose whether a request is sampled nor write into vif's traces.
func traced(next http.Handler) http.Handler {
	return otelhttp.NewHandler(next, "vif-gateway",
		otelhttp.WithPublicEndpointFn(func(*http.Request) bool { return true }),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method }),
	)
}

// nameSpan names the request's span after the route the mux matched (see edge.routed),
// "GET /v1/{name=cessions/*}", the route template with no id in it, as the metrics label it.
func nameSpan(r *http.Request, template string) {
	if span := trace.SpanFromContext(r.Context()); span.IsRecording() {
		span.SetName(r.Method + " " + template)
		span.SetAttributes(semconv.HTTPRoute(template))
	}
}

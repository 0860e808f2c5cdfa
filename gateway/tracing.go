package gateway

import (
	"net/http"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// traced gives each request a server span (otelhttp) when tracing is on (telemetry.Enabled when
// Handler is called); the calls to the services are its children (grpcclient's otelgrpc).
//
// The span is named by the request's method until routing names its route (routeSpanName). Its
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

// routeSpanName is a grpc-gateway middleware: once the mux has matched a route, the request's
// span is named after it, "GET /v1/{name=cessions/*}", the route template with no id in it, as
// the metrics label it.
func routeSpanName(next runtime.HandlerFunc) runtime.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, params map[string]string) {
		if span := trace.SpanFromContext(r.Context()); span.IsRecording() {
			if p, ok := runtime.HTTPPattern(r.Context()); ok {
				route := p.String()
				span.SetName(r.Method + " " + route)
				span.SetAttributes(semconv.HTTPRoute(route))
			}
		}
		next(w, r, params)
	}
}

package gateway

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// httpMetrics counts the gateway's HTTP requests and their latency by method, route template
// (the google.api.http path, "/v1/{name=networks/*}", so that ids do not explode the series) and
// status. A request no route matched is route "unmatched".
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_server_requests_total",
			Help: "REST requests the gateway answered, by method, route template and HTTP status.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_server_request_duration_seconds",
			Help:    "Time to answer a REST request, backend included, by method and route template.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method", "route"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

type metricsRouteKey struct{}

// measure wraps the whole handler; the route is filled in by recordRoute once the mux matched.
func (m *httpMetrics) measure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		route := new(string)
		*route = "unmatched"
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), metricsRouteKey{}, route)))
		m.requests.WithLabelValues(r.Method, *route, strconv.Itoa(rec.statusCode())).Inc()
		m.duration.WithLabelValues(r.Method, *route).Observe(time.Since(start).Seconds())
	})
}

// recordRoute tells measure the template of the route the mux matched (see edge.routed).
func recordRoute(r *http.Request, template string) {
	if route, ok := r.Context().Value(metricsRouteKey{}).(*string); ok {
		*route = template
	}
}

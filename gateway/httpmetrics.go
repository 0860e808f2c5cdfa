package gateway

import (
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

// record counts a request answered with status in took; template is the route the mux matched,
// "" for none ("unmatched").
func (m *httpMetrics) record(method, template string, status int, took time.Duration) {
	if template == "" {
		template = "unmatched"
	}
	m.requests.WithLabelValues(method, template, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, template).Observe(took.Seconds())
}

package outbox

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// relayMetrics are what a relay measures as it publishes.
type relayMetrics struct {
	failures prometheus.Counter
	lag      prometheus.Histogram
}

func newRelayMetrics() relayMetrics {
	return relayMetrics{
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vif_outbox_publish_failures_total",
			Help: "Attempts to publish an outbox event that JetStream did not acknowledge (NATS or the stream unreachable, a timeout); each is retried.",
		}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vif_outbox_publish_lag_seconds",
			Help: "Time from an event's commit (its outbox row written) to JetStream's acknowledgement of its publication.",
			// From a relay woken at commit (milliseconds) to one catching up after an outage
			// (minutes).
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900},
		}),
	}
}

// Collector returns a Prometheus collector of this relay's metrics, each labelled with service
// (a constant label, so that the collectors of several services register side by side in one
// process, the embedded default):
//
//   - vif_outbox_pending_events, a gauge: how many events wait in the outbox. It grows while
//     NATS is unreachable and drains when it comes back, which is what an operator wants to
//     alert on. It queries the database at each scrape (an indexed count); on SQLite it also
//     counts, while commits stream in, the acknowledged rows whose marks the relay holds back.
//   - vif_outbox_publish_failures_total, a counter of the publish attempts that failed.
//   - vif_outbox_publish_lag_seconds, a histogram of the time from an event's commit to
//     JetStream's acknowledgement: milliseconds normally, the length of an outage after one.
func (r *Relay) Collector(service string) prometheus.Collector {
	return prometheus.WrapCollectorWith(prometheus.Labels{"service": service}, relayCollector{
		pending: pendingCollector{relay: r, desc: prometheus.NewDesc(
			"vif_outbox_pending_events",
			"Events written to a service's outbox and not yet acknowledged by JetStream.",
			nil, nil,
		)},
		metrics: r.metrics,
	})
}

type relayCollector struct {
	pending pendingCollector
	metrics relayMetrics
}

func (c relayCollector) Describe(ch chan<- *prometheus.Desc) {
	c.pending.Describe(ch)
	c.metrics.failures.Describe(ch)
	c.metrics.lag.Describe(ch)
}

func (c relayCollector) Collect(ch chan<- prometheus.Metric) {
	c.pending.Collect(ch)
	c.metrics.failures.Collect(ch)
	c.metrics.lag.Collect(ch)
}

type pendingCollector struct {
	relay *Relay
	desc  *prometheus.Desc
}

func (c pendingCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c pendingCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err := c.relay.Pending(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n))
}

package outbox

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Collector returns a Prometheus collector of the gauge vif_outbox_pending_events{service}: how
// many events wait in this relay's outbox. It grows while NATS is unreachable and drains when it
// comes back, which is what an operator wants to alert on. It queries the database at each
// scrape (an indexed count). The service is a constant label, so that the collectors of several
// services register side by side in one process (the embedded default).
func (r *Relay) Collector(service string) prometheus.Collector {
	return pendingCollector{relay: r, desc: prometheus.NewDesc(
		"vif_outbox_pending_events",
		"Events written to a service's outbox and not yet acknowledged by JetStream.",
		nil, prometheus.Labels{"service": service},
	)}
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

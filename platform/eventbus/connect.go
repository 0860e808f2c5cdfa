package eventbus

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
)

// ReconnectWait is the pause between reconnect attempts; nats.go adds its own jitter so that a
// fleet of clients does not stampede a server that just came back.
const ReconnectWait = time.Second

// Connect opens a NATS connection that never gives up: it retries the first connect and every
// reconnect forever, so a service can start before the bus and ride out its restarts. Outbox
// rows wait in the database meanwhile; nothing is lost by waiting. Connection changes are logged.
// opts come last, e.g. the identity to connect as (CredsOption).
func Connect(url, clientName string, log *slog.Logger, opts ...nats.Option) (*nats.Conn, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "nats", "client", clientName)
	nc, err := nats.Connect(url, append([]nats.Option{
		nats.Name(clientName),
		nats.MaxReconnects(-1),
		nats.RetryOnFailedConnect(true),
		nats.ReconnectWait(ReconnectWait),
		nats.ConnectHandler(func(nc *nats.Conn) {
			log.Info("nats connected", "url", nc.ConnectedUrlRedacted())
		}),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			log.Warn("nats disconnected", "err", err)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			log.Info("nats reconnected", "url", nc.ConnectedUrlRedacted())
		}),
		nats.ClosedHandler(func(*nats.Conn) {
			log.Info("nats connection closed")
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			if sub != nil {
				log.Error("nats async error", "subject", sub.Subject, "err", err)
				return
			}
			log.Error("nats async error", "err", err)
		}),
	}, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("eventbus: connect %s: %w", url, err)
	}
	return nc, nil
}

package eventbus

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Stream defaults. A year of history lets a new consumer rebuild its view from events; two
// minutes of de-duplication is far longer than any relay retry (its backoff caps at 30 s), so
// an event republished after a lost ack is dropped. A relay that crashed between an ack and its
// bookkeeping and comes back after the window publishes a copy that the stream stores: no window
// covers an outage of unbounded length, so subscribers de-duplicate on ce-id (package dedup,
// docs/events.md).
const (
	DefaultMaxAge     = 365 * 24 * time.Hour
	DefaultDuplicates = 2 * time.Minute
)

// StreamOptions tunes the VIF stream; zero values take the defaults.
type StreamOptions struct {
	// Replicas is 1 on a single server (the default) and 3 in a cluster.
	Replicas int
	// MaxAge is how long events are kept; 0 means DefaultMaxAge.
	MaxAge time.Duration
	// Duplicates is the Nats-Msg-Id de-duplication window; 0 means DefaultDuplicates.
	Duplicates time.Duration
}

// StreamConfig returns the configuration EnsureStream applies for o.
func StreamConfig(o StreamOptions) jetstream.StreamConfig {
	if o.Replicas == 0 {
		o.Replicas = 1
	}
	if o.MaxAge == 0 {
		o.MaxAge = DefaultMaxAge
	}
	if o.Duplicates == 0 {
		o.Duplicates = DefaultDuplicates
	}
	return jetstream.StreamConfig{
		Name:        StreamName,
		Description: "Every event of the vif suite.",
		Subjects:    []string{SubjectAll},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		Replicas:    o.Replicas,
		MaxAge:      o.MaxAge,
		Duplicates:  o.Duplicates,
		// Events are the suite's history: nobody removes one, not even a service. The server
		// refuses to turn these off again once a stream has them.
		DenyDelete: true,
		DenyPurge:  true,
	}
}

// EnsureStream creates the VIF stream or brings an existing one to the configuration o asks
// for. Every service may call it at start-up: it is idempotent.
func EnsureStream(ctx context.Context, js jetstream.JetStream, o StreamOptions) (jetstream.Stream, error) {
	s, err := js.CreateOrUpdateStream(ctx, StreamConfig(o))
	if err != nil {
		return nil, fmt.Errorf("eventbus: ensure stream %s: %w", StreamName, err)
	}
	return s, nil
}

// Package service is the one shape every vif service has, whoever hosts it: the all-in-one binary
// of the embedded default (cmd/vif) or its own process (platform/daemon). A service is built from
// a Config (its database, its JetStream, its connection to the directory, its logger, its clock)
// and gives back a Service: its gRPC registration and the work to run beside the server (its
// outbox relay, and its seed when it waits for another service). A composition root
// (services/<svc>/<svc>.go) says only what differs: which store, which use cases, which seed.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/grpcserver"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/seeding"
	"github.com/vif71/vif/platform/storage"
)

// Config is what a service needs from its host.
type Config struct {
	DB        *storage.DB
	JetStream jetstream.JetStream // where the relay publishes events
	// Directory is a connection to the directory service's gRPC server, for the services that
	// call it (the directory itself ignores it).
	Directory grpc.ClientConnInterface
	Logger    *slog.Logger
	// Seed asks for the service's default data set, recorded once.
	Seed bool
	// Now and NewID default to the wall clock and ULIDs; tests inject their own.
	Now   func() time.Time
	NewID func() string
	// Relay tunes the outbox relay (its logger defaults to Logger).
	Relay outbox.RelayOptions
}

// Service is a ready service: what to register on the gRPC server, and what to run beside it
// until shutdown.
type Service struct {
	GRPC grpcserver.Service
	// Relay carries the service's outbox to JetStream; it is the first of Background.
	Relay *outbox.Relay
	// Background is the work to run beside the server, each until its context ends.
	Background []func(context.Context) error
}

// Builder builds a service: what a host calls (cmd/vif, platform/daemon).
type Builder func(context.Context, Config) (*Service, error)

// Env is what a composition root wires its parts from: the Config with its defaults filled in
// (NewID gives lowercase ids: resource ids are lowercase, ULIDs upper-case Crockford), and the
// relay's Notify, which the store calls after each commit that wrote events.
type Env struct {
	Config
	Notify func()
}

// Parts are what a composition root gives: its gRPC implementation and what the shared
// interceptors need to know about it, and its seed when it runs in the background.
type Parts struct {
	// Desc and Impl are the service's generated descriptor and its implementation.
	Desc *grpc.ServiceDesc
	Impl any
	// Policy says who may call each method. The domain's errors need no table: each carries its
	// kind and reason (platform/fault), which the server's error mapping reads.
	Policy auth.Policy
	// Seed, when set and Config.Seed asks for it, runs beside the server (seeding.Run): it is
	// retried while it fails with an error that is SeedWaitsFor (errors.Is), a dependency that
	// does not answer yet.
	Seed         func(context.Context) (bool, error)
	SeedWaitsFor error
}

// New fills the Config's defaults, makes the outbox relay, lets wire build the service's parts,
// and assembles them. name ("fleet") names the relay's metrics and logs and prefixes errors.
func New(ctx context.Context, name string, c Config, wire func(context.Context, Env) (Parts, error)) (*Service, error) {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	newID := c.NewID
	if newID == nil {
		newID = outbox.NewID
	}
	c.NewID = func() string { return strings.ToLower(newID()) }
	if c.Relay.Logger == nil {
		c.Relay.Logger = c.Logger.With("relay", name)
	}
	relay := outbox.NewRelay(c.DB, c.JetStream, c.Relay)
	p, err := wire(ctx, Env{Config: c, Notify: relay.Notify})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s := &Service{
		GRPC: grpcserver.Service{
			Name:     p.Desc.ServiceName,
			Register: func(r grpc.ServiceRegistrar) { r.RegisterService(p.Desc, p.Impl) },
			Policy:   p.Policy,
			// The outbox's backlog: it grows while NATS is unreachable.
			Collectors: []prometheus.Collector{relay.Collector(name)},
		},
		Relay:      relay,
		Background: []func(context.Context) error{relay.Run},
	}
	if c.Seed && p.Seed != nil {
		retry := func(err error) bool { return p.SeedWaitsFor != nil && errors.Is(err, p.SeedWaitsFor) }
		s.Background = append(s.Background, func(ctx context.Context) error {
			return seeding.Run(ctx, c.Logger, p.Seed, retry)
		})
	}
	return s, nil
}

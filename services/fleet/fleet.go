// Package fleet assembles the fleet service: its store, its use cases, its client of the
// directory, its gRPC face, its outbox relay and its seed. Both cmd/fleet and the all-in-one
// binary (cmd/vif) build it from here.
package fleet

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
	fleetv1 "github.com/vif71/vif/proto/gen/go/vif/fleet/v1"
	"github.com/vif71/vif/services/fleet/internal/adapters/directoryclient"
	"github.com/vif71/vif/services/fleet/internal/adapters/grpcapi"
	"github.com/vif71/vif/services/fleet/internal/adapters/store"
	"github.com/vif71/vif/services/fleet/internal/app"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

// Config is what the service needs from its host.
type Config struct {
	DB        *storage.DB
	JetStream jetstream.JetStream
	// Directory is a connection to the directory service's gRPC server.
	Directory grpc.ClientConnInterface
	Logger    *slog.Logger
	// Seed records the article's 17 cessions once, as soon as the directory answers.
	Seed  bool
	Now   func() time.Time
	NewID func() string
	Relay outbox.RelayOptions
}

// Service is a ready fleet service.
type Service struct {
	GRPC  grpcserver.Service
	Relay *outbox.Relay
	app   *app.Service
	log   *slog.Logger
	seed  bool
}

// New migrates the database and wires the service.
func New(ctx context.Context, c Config) (*Service, error) {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.NewID == nil {
		c.NewID = outbox.NewID
	}
	if c.Relay.Logger == nil {
		c.Relay.Logger = c.Logger.With("relay", "fleet")
	}
	relay := outbox.NewRelay(c.DB, c.JetStream, c.Relay)
	st, err := store.Open(ctx, c.DB, grpcapi.EncodeEvent, relay.Notify)
	if err != nil {
		return nil, fmt.Errorf("fleet: store: %w", err)
	}
	newID := func() string { return strings.ToLower(c.NewID()) }
	svc := app.New(st, directoryclient.New(c.Directory), c.Now, newID)
	server := grpcapi.NewServer(svc)
	return &Service{
		GRPC: grpcserver.Service{
			Name:     fleetv1.FleetService_ServiceDesc.ServiceName,
			Register: func(r grpc.ServiceRegistrar) { fleetv1.RegisterFleetServiceServer(r, server) },
			Policy:   grpcapi.Policy,
			Errors:   grpcapi.Errors,
			// The outbox's backlog: it grows while NATS is unreachable.
			Collectors: []prometheus.Collector{relay.Collector("fleet")},
		},
		Relay: relay,
		app:   svc,
		log:   c.Logger,
		seed:  c.Seed,
	}, nil
}

// Background returns what runs beside the server: the relay, and the seed when asked for.
func (s *Service) Background() []func(context.Context) error {
	bg := []func(context.Context) error{s.Relay.Run}
	if s.seed {
		bg = append(bg, func(ctx context.Context) error {
			return seeding.Run(ctx, s.log, func(ctx context.Context) (bool, error) {
				return s.app.Seed(ctx, app.DefaultCessions)
			}, func(err error) bool { return errors.Is(err, domain.ErrDirectoryUnavailable) })
		})
	}
	return bg
}

// Policy says who may call each method of the service; the API description (cmd/openapigen)
// publishes it.
func Policy() auth.Policy { return grpcapi.Policy }

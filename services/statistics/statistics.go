// Package statistics assembles the statistics service: its store, its use cases, its client of
// the directory, its gRPC face, its outbox relay and its seed. Both cmd/statistics and the
// all-in-one binary (cmd/vif) build it from here.
package statistics

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
	statisticsv1 "github.com/vif71/vif/proto/gen/go/vif/statistics/v1"
	"github.com/vif71/vif/services/statistics/internal/adapters/directoryclient"
	"github.com/vif71/vif/services/statistics/internal/adapters/grpcapi"
	"github.com/vif71/vif/services/statistics/internal/adapters/store"
	"github.com/vif71/vif/services/statistics/internal/app"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// DefaultThreshold is the threshold of disclosure control unless configured otherwise: counts
// from 1 to 4 are hidden from callers not entitled to raw counts.
const DefaultThreshold = domain.DefaultThreshold

// Config is what the service needs from its host.
type Config struct {
	DB        *storage.DB
	JetStream jetstream.JetStream
	// Directory is a connection to the directory service's gRPC server.
	Directory grpc.ClientConnInterface
	Logger    *slog.Logger
	// Seed records the illustrative reports and national figures once, as soon as the directory
	// answers.
	Seed bool
	// Threshold of disclosure control; DefaultThreshold when 0.
	Threshold int64
	Now       func() time.Time
	NewID     func() string
	Relay     outbox.RelayOptions
}

// Service is a ready statistics service.
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
	if c.Threshold < 0 {
		return nil, fmt.Errorf("statistics: threshold %d: want at least 1 (0 for the default)", c.Threshold)
	}
	if c.Relay.Logger == nil {
		c.Relay.Logger = c.Logger.With("relay", "statistics")
	}
	relay := outbox.NewRelay(c.DB, c.JetStream, c.Relay)
	st, err := store.Open(ctx, c.DB, grpcapi.EncodeEvent, relay.Notify)
	if err != nil {
		return nil, fmt.Errorf("statistics: store: %w", err)
	}
	newID := func() string { return strings.ToLower(c.NewID()) }
	svc := app.New(st, directoryclient.New(c.Directory), c.Now, newID, c.Threshold)
	server := grpcapi.NewServer(svc)
	return &Service{
		GRPC: grpcserver.Service{
			Name:     statisticsv1.StatisticsService_ServiceDesc.ServiceName,
			Register: func(r grpc.ServiceRegistrar) { statisticsv1.RegisterStatisticsServiceServer(r, server) },
			Policy:   grpcapi.Policy,
			Errors:   grpcapi.Errors,
			// The outbox's backlog: it grows while NATS is unreachable.
			Collectors: []prometheus.Collector{relay.Collector("statistics")},
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
			return seeding.Run(ctx, s.log, s.app.Seed, func(err error) bool { return errors.Is(err, domain.ErrDirectoryUnavailable) })
		})
	}
	return bg
}

// Policy says who may call each method of the service; the API description (cmd/openapigen)
// publishes it.
func Policy() auth.Policy { return grpcapi.Policy }

// Package directory assembles the directory service: its store on a database, its use cases, its
// gRPC face and its outbox relay. Both the service's own binary (cmd/directory) and the
// all-in-one binary of the embedded default (cmd/vif) build it from here.
package directory

import (
	"context"
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
	"github.com/vif71/vif/platform/storage"
	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
	"github.com/vif71/vif/services/directory/internal/adapters/grpcapi"
	"github.com/vif71/vif/services/directory/internal/adapters/store"
	"github.com/vif71/vif/services/directory/internal/app"
	"github.com/vif71/vif/services/directory/internal/refdata"
)

// Config is what the service needs from its host.
type Config struct {
	DB        *storage.DB
	JetStream jetstream.JetStream // where the relay publishes events
	Logger    *slog.Logger
	// Seed creates the default organisations on the first start against an empty database.
	Seed bool
	// Now and NewID default to the wall clock and ULIDs; tests inject their own.
	Now   func() time.Time
	NewID func() string
	// Relay tunes the outbox relay (its logger defaults to Logger).
	Relay outbox.RelayOptions
}

// Service is a ready directory: its gRPC registration and the relay to run beside the server.
type Service struct {
	GRPC  grpcserver.Service
	Relay *outbox.Relay
	app   *app.Service
}

// New migrates the database, seeds it when asked, and wires the service.
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
		c.Relay.Logger = c.Logger.With("relay", "directory")
	}
	ref, err := refdata.Load()
	if err != nil {
		return nil, fmt.Errorf("directory: referential: %w", err)
	}
	relay := outbox.NewRelay(c.DB, c.JetStream, c.Relay)
	st, err := store.Open(ctx, c.DB, grpcapi.EncodeEvent, relay.Notify)
	if err != nil {
		return nil, fmt.Errorf("directory: store: %w", err)
	}
	svc := app.New(st, ref, c.Now, lowerID(c.NewID))
	if c.Seed {
		seeded, err := svc.Seed(ctx, app.DefaultOrganisations)
		if err != nil {
			return nil, fmt.Errorf("directory: %w", err)
		}
		if seeded {
			c.Logger.Info("seeded the directory", "organisations", len(app.DefaultOrganisations))
		}
	}
	server := grpcapi.NewServer(svc)
	return &Service{
		GRPC: grpcserver.Service{
			Name:     directoryv1.DirectoryService_ServiceDesc.ServiceName,
			Register: func(r grpc.ServiceRegistrar) { directoryv1.RegisterDirectoryServiceServer(r, server) },
			Policy:   grpcapi.Policy,
			Errors:   grpcapi.Errors,
			// The outbox's backlog: it grows while NATS is unreachable.
			Collectors: []prometheus.Collector{relay.Collector("directory")},
		},
		Relay: relay,
		app:   svc,
	}, nil
}

// lowerID lowercases generated ids: resource ids are lowercase (ULIDs are upper-case Crockford).
func lowerID(next func() string) func() string {
	return func() string { return strings.ToLower(next()) }
}

// Policy says who may call each method of the service; the API description (cmd/openapigen)
// publishes it.
func Policy() auth.Policy { return grpcapi.Policy }

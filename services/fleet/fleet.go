// Package fleet assembles the fleet service: its store, its use cases, its client of the
// directory, its gRPC face, and its seed, in the shape every service has (platform/service). Both
// cmd/fleet and the all-in-one binary (cmd/vif) build it from here.
package fleet

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/service"
	fleetv1 "github.com/vif71/vif/proto/gen/go/vif/fleet/v1"
	"github.com/vif71/vif/services/fleet/internal/adapters/directoryclient"
	"github.com/vif71/vif/services/fleet/internal/adapters/grpcapi"
	"github.com/vif71/vif/services/fleet/internal/adapters/store"
	"github.com/vif71/vif/services/fleet/internal/app"
)

// Config is what the service needs from its host. Its seed records the article's 17 cessions
// once, as soon as the directory answers.
type Config = service.Config

// New migrates the database and wires the service.
func New(ctx context.Context, c Config) (*service.Service, error) {
	return service.New(ctx, "fleet", c, func(ctx context.Context, e service.Env) (service.Parts, error) {
		st, err := store.Open(ctx, e.DB, grpcapi.EncodeEvent, e.Notify)
		if err != nil {
			return service.Parts{}, fmt.Errorf("store: %w", err)
		}
		svc := app.New(st, directoryclient.New(e.Directory), e.Now, e.NewID)
		return service.Parts{
			Desc: &fleetv1.FleetService_ServiceDesc, Impl: grpcapi.NewServer(svc),
			Policy:       grpcapi.Policy,
			Seed:         func(ctx context.Context) (bool, error) { return svc.Seed(ctx, app.DefaultCessions) },
			SeedWaitsFor: resource.ErrDirectoryUnavailable,
		}, nil
	})
}

// Policy says who may call each method of the service; the API description (cmd/openapigen)
// publishes it.
func Policy() auth.Policy { return grpcapi.Policy }

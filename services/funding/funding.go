// Package funding assembles the funding service: its store, its use cases, its client of the
// directory, its gRPC face, and its seed, in the shape every service has (platform/service). Both
// cmd/funding and the all-in-one binary (cmd/vif) build it from here.
package funding

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/service"
	fundingv1 "github.com/vif71/vif/proto/gen/go/vif/funding/v1"
	"github.com/vif71/vif/services/funding/internal/adapters/directoryclient"
	"github.com/vif71/vif/services/funding/internal/adapters/grpcapi"
	"github.com/vif71/vif/services/funding/internal/adapters/store"
	"github.com/vif71/vif/services/funding/internal/app"
)

// Config is what the service needs from its host. Its seed creates the article's three ISCG
// posts and their funders once, as soon as the directory answers.
type Config = service.Config

// New migrates the database and wires the service.
func New(ctx context.Context, c Config) (*service.Service, error) {
	return service.New(ctx, "funding", c, func(ctx context.Context, e service.Env) (service.Parts, error) {
		st, err := store.Open(ctx, e.DB, grpcapi.EncodeEvent, e.Notify)
		if err != nil {
			return service.Parts{}, fmt.Errorf("store: %w", err)
		}
		svc := app.New(st, directoryclient.New(e.Directory), e.Now, e.NewID)
		return service.Parts{
			Desc: &fundingv1.FundingService_ServiceDesc, Impl: grpcapi.NewServer(svc),
			Policy:       grpcapi.Policy,
			Seed:         func(ctx context.Context) (bool, error) { return svc.Seed(ctx, app.DefaultPosts) },
			SeedWaitsFor: resource.ErrDirectoryUnavailable,
		}, nil
	})
}

// Policy says who may call each method of the service; the API description (cmd/openapigen)
// publishes it.
func Policy() auth.Policy { return grpcapi.Policy }

// Package directory assembles the directory service: its store on a database, its use cases and
// its gRPC face, in the shape every service has (platform/service). Both the service's own binary
// (cmd/directory) and the all-in-one binary of the embedded default (cmd/vif) build it from here.
package directory

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/service"
	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
	"github.com/vif71/vif/services/directory/internal/adapters/grpcapi"
	"github.com/vif71/vif/services/directory/internal/adapters/store"
	"github.com/vif71/vif/services/directory/internal/app"
	"github.com/vif71/vif/services/directory/internal/refdata"
)

// Config is what the service needs from its host. Its seed creates the default organisations on
// the first start against an empty database, before the service is served (it waits for no one).
type Config = service.Config

// New migrates the database, seeds it when asked, and wires the service.
func New(ctx context.Context, c Config) (*service.Service, error) {
	return service.New(ctx, "directory", c, func(ctx context.Context, e service.Env) (service.Parts, error) {
		ref, err := refdata.Load()
		if err != nil {
			return service.Parts{}, fmt.Errorf("referential: %w", err)
		}
		st, err := store.Open(ctx, e.DB, grpcapi.EncodeEvent, e.Notify)
		if err != nil {
			return service.Parts{}, fmt.Errorf("store: %w", err)
		}
		svc := app.New(st, ref, e.Now, e.NewID)
		if e.Seed {
			seeded, err := svc.Seed(ctx, app.DefaultOrganisations)
			if err != nil {
				return service.Parts{}, err
			}
			if seeded {
				e.Logger.Info("seeded the directory", "organisations", len(app.DefaultOrganisations))
			}
		}
		return service.Parts{
			Desc: &directoryv1.DirectoryService_ServiceDesc, Impl: grpcapi.NewServer(svc),
			Policy: grpcapi.Policy,
		}, nil
	})
}

// Policy says who may call each method of the service; the API description (cmd/openapigen)
// publishes it.
func Policy() auth.Policy { return grpcapi.Policy }

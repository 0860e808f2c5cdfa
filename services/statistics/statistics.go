// Package statistics assembles the statistics service: its store, its use cases, its client of
// the directory, its gRPC face, and its seed, in the shape every service has (platform/service).
// Both cmd/statistics and the all-in-one binary (cmd/vif) build it from here.
package statistics

import (
	"context"
	"fmt"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/service"
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

// Config is what the service needs from its host: what every service needs, and the threshold of
// disclosure control. Its seed records the illustrative reports and national figures once, as
// soon as the directory answers.
type Config struct {
	service.Config
	// Threshold of disclosure control; DefaultThreshold when 0.
	Threshold int64
}

// New migrates the database and wires the service.
func New(ctx context.Context, c Config) (*service.Service, error) {
	if c.Threshold < 0 {
		return nil, fmt.Errorf("statistics: threshold %d: want at least 1 (0 for the default)", c.Threshold)
	}
	return service.New(ctx, "statistics", c.Config, func(ctx context.Context, e service.Env) (service.Parts, error) {
		st, err := store.Open(ctx, e.DB, grpcapi.EncodeEvent, e.Notify)
		if err != nil {
			return service.Parts{}, fmt.Errorf("store: %w", err)
		}
		svc := app.New(st, directoryclient.New(e.Directory), e.Now, e.NewID, c.Threshold)
		return service.Parts{
			Desc: &statisticsv1.StatisticsService_ServiceDesc, Impl: grpcapi.NewServer(svc),
			Policy:       grpcapi.Policy,
			Seed:         svc.Seed,
			SeedWaitsFor: resource.ErrDirectoryUnavailable,
		}, nil
	})
}

// Builder builds the service with the given threshold, in the shape hosts call.
func Builder(threshold int64) service.Builder {
	return func(ctx context.Context, c service.Config) (*service.Service, error) {
		return New(ctx, Config{Config: c, Threshold: threshold})
	}
}

// Policy says who may call each method of the service; the API description (cmd/openapigen)
// publishes it.
func Policy() auth.Policy { return grpcapi.Policy }

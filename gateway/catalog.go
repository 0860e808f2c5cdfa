package gateway

import (
	"context"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"

	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
	fleetv1 "github.com/vif71/vif/proto/gen/go/vif/fleet/v1"
	fundingv1 "github.com/vif71/vif/proto/gen/go/vif/funding/v1"
	statisticsv1 "github.com/vif71/vif/proto/gen/go/vif/statistics/v1"
)

// Service is a gRPC service of the suite that the gateway exposes.
type Service struct {
	Name     string // e.g. "directory": its address comes from --<name>-addr or VIF_<NAME>_ADDR
	FullName string // the gRPC service name that /healthz checks
	Register func(context.Context, *runtime.ServeMux, *grpc.ClientConn) error
	// RegisterClient is Register for any client connection, e.g. the in-process channel of the
	// all-in-one (Options.InProcess).
	RegisterClient func(context.Context, *runtime.ServeMux, grpc.ClientConnInterface) error
}

// Services are every service the gateway exposes: a new service is one more line here, and both
// the gateway binary and the all-in-one binary pick it up.
var Services = []Service{
	{"directory", directoryv1.DirectoryService_ServiceDesc.ServiceName, directoryv1.RegisterDirectoryServiceHandler,
		onClient(directoryv1.RegisterDirectoryServiceHandlerClient, directoryv1.NewDirectoryServiceClient)},
	{"funding", fundingv1.FundingService_ServiceDesc.ServiceName, fundingv1.RegisterFundingServiceHandler,
		onClient(fundingv1.RegisterFundingServiceHandlerClient, fundingv1.NewFundingServiceClient)},
	{"fleet", fleetv1.FleetService_ServiceDesc.ServiceName, fleetv1.RegisterFleetServiceHandler,
		onClient(fleetv1.RegisterFleetServiceHandlerClient, fleetv1.NewFleetServiceClient)},
	{"statistics", statisticsv1.StatisticsService_ServiceDesc.ServiceName, statisticsv1.RegisterStatisticsServiceHandler,
		onClient(statisticsv1.RegisterStatisticsServiceHandlerClient, statisticsv1.NewStatisticsServiceClient)},
}

// onClient makes a RegisterClient of a service's generated Register…HandlerClient and
// New…Client.
func onClient[C any](register func(context.Context, *runtime.ServeMux, C) error, newClient func(grpc.ClientConnInterface) C) func(context.Context, *runtime.ServeMux, grpc.ClientConnInterface) error {
	return func(ctx context.Context, mux *runtime.ServeMux, conn grpc.ClientConnInterface) error {
		return register(ctx, mux, newClient(conn))
	}
}

// Backends returns every service as a backend at the address addr gives for its name.
func Backends(addr func(name string) string) []Backend {
	bs := make([]Backend, len(Services))
	for i, s := range Services {
		bs[i] = Backend{Name: s.Name, Addr: addr(s.Name), Service: s.FullName, Register: s.Register, RegisterClient: s.RegisterClient}
	}
	return bs
}

package main

import (
	"context"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"

	"github.com/vif71/vif/gateway"
	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
)

// service is a gRPC service the gateway exposes. Its address comes from --<name>-addr, or
// VIF_<NAME>_ADDR.
type service struct {
	name        string
	defaultAddr string
	fullName    string // checked by /healthz
	register    func(context.Context, *runtime.ServeMux, *grpc.ClientConn) error
}

// services are the backends of the gateway: a new service is one more line.
var services = []service{
	{"directory", "127.0.0.1:9090", directoryv1.DirectoryService_ServiceDesc.ServiceName, directoryv1.RegisterDirectoryServiceHandler},
}

// backends pairs every service with its address, addrs[i] being the address of services[i].
func backends(addrs []*string) []gateway.Backend {
	bs := make([]gateway.Backend, len(services))
	for i, s := range services {
		bs[i] = gateway.Backend{Name: s.name, Addr: *addrs[i], Service: s.fullName, Register: s.register}
	}
	return bs
}

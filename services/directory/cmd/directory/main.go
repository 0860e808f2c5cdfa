// Command directory runs the directory service as its own process (the distributed shape):
// gRPC on --grpc-addr, metrics and health on --admin-addr, state in PostgreSQL (or a SQLite
// file), events through NATS JetStream. Every flag has an environment variable; see --help.
package main

import (
	"context"

	"github.com/vif71/vif/platform/daemon"
	"github.com/vif71/vif/services/directory"
)

func main() { daemon.Main("directory", run) }

func run(ctx context.Context, args []string, getenv func(string) string) error {
	return daemon.Run(ctx, "directory", args, getenv, nil, directory.New)
}

// Command fleet runs the fleet service as its own process (the distributed shape): gRPC on
// --grpc-addr, metrics and health on --admin-addr, state in PostgreSQL (or a SQLite file), events
// through NATS JetStream, and the directory reached at --directory-addr. See --help.
package main

import (
	"context"

	"github.com/vif71/vif/platform/daemon"
	"github.com/vif71/vif/services/fleet"
)

func main() { daemon.Main("fleet", run) }

func run(ctx context.Context, args []string, getenv func(string) string) error {
	return daemon.Run(ctx, "fleet", args, getenv, []string{"directory"}, fleet.New)
}

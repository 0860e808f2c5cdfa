// Command funding runs the funding service as its own process (the distributed shape): gRPC on
// --grpc-addr, metrics and health on --admin-addr, state in PostgreSQL (or a SQLite file), events
// through NATS JetStream, and the directory reached at --directory-addr. See --help.
package main

import (
	"context"

	"github.com/vif71/vif/platform/daemon"
	"github.com/vif71/vif/services/funding"
)

func main() { daemon.Main("funding", run) }

func run(ctx context.Context, args []string, getenv func(string) string) error {
	return daemon.Run(ctx, "funding", args, getenv, []string{"directory"}, funding.New)
}

// Command fleet runs the fleet service as its own process (the distributed shape): gRPC on
// --grpc-addr, metrics and health on --admin-addr, state in PostgreSQL (or a SQLite file), events
// through NATS JetStream, and the directory reached at --directory-addr. See --help.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/vif71/vif/platform/daemon"
	"github.com/vif71/vif/services/fleet"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "fleet:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	return daemon.Run(ctx, "fleet", args, getenv, []string{"directory"}, func(ctx context.Context, d daemon.Deps) (daemon.Built, error) {
		svc, err := fleet.New(ctx, fleet.Config{
			DB: d.DB, JetStream: d.JetStream, Directory: d.Peers["directory"], Logger: d.Logger, Seed: d.Seed,
		})
		if err != nil {
			return daemon.Built{}, err
		}
		return daemon.Built{Service: svc.GRPC, Background: svc.Background()}, nil
	})
}

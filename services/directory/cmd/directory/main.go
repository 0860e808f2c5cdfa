// Command directory runs the directory service as its own process (the distributed shape):
// gRPC on --grpc-addr, metrics and health on --admin-addr, state in PostgreSQL (or a SQLite
// file), events through NATS JetStream. Every flag has an environment variable; see --help.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/vif71/vif/platform/daemon"
	"github.com/vif71/vif/services/directory"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "directory:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	return daemon.Run(ctx, "directory", args, getenv, nil, func(ctx context.Context, d daemon.Deps) (daemon.Built, error) {
		svc, err := directory.New(ctx, directory.Config{DB: d.DB, JetStream: d.JetStream, Logger: d.Logger, Seed: d.Seed})
		if err != nil {
			return daemon.Built{}, err
		}
		return daemon.Built{Service: svc.GRPC, Background: []func(context.Context) error{svc.Relay.Run}}, nil
	})
}

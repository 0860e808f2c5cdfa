// Command vif is the all-in-one binary of the embedded default: `vif` (or `vif serve`) runs every
// service, the REST gateway and an in-process NATS server on one machine with SQLite files;
// `vif token` prints a bearer token the running instance accepts.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/vif71/vif/platform/version"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "vif:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  vif [serve] [flags]   run everything on this machine (see vif serve --help)
  vif token --role R    print a bearer token for the instance in --data-dir
  vif events tail [S]   print the events on subject S (default vif.>), resuming where it stopped
  vif events credentials  print where the read-only NATS credentials for subscribers are
  vif users add|list|disable     the accounts of the built-in OpenID provider
  vif clients add|list|revoke    the institutional systems (client credentials)
  vif version           print the module version and the commit it was built from
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	} else if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		cmd = "version"
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout)
	case "token":
		return token(args, getenv, stdout)
	case "events":
		return events(ctx, args, getenv, stdout)
	case "users":
		return users(ctx, args, getenv, os.Stdin, stdout)
	case "clients":
		return clients(ctx, args, getenv, stdout)
	case "version":
		_, err := fmt.Fprintln(stdout, version.Line("vif"))
		return err
	case "help":
		_, err := io.WriteString(stdout, usage)
		return err
	default:
		return fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
}

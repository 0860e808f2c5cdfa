// Package daemon is the main loop of a service running as its own process (the distributed
// shape): settings from flags and environment, the database, NATS and the VIF stream, the gRPC
// server with its admin endpoints, the service's background work (its outbox relay), and a
// graceful stop on SIGINT/SIGTERM.
package daemon

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/config"
	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/grpcclient"
	"github.com/vif71/vif/platform/grpcserver"
	"github.com/vif71/vif/platform/requestid"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/version"
)

// Deps are what a service is built from.
type Deps struct {
	DB        *storage.DB
	JetStream jetstream.JetStream
	Logger    *slog.Logger
	Seed      bool
	// Peers are client connections to the other services this one calls, by name.
	Peers map[string]*grpc.ClientConn
}

// Built is a service ready to serve: what to register on the gRPC server, and what to run
// beside it until shutdown (its outbox relay).
type Built struct {
	Service    grpcserver.Service
	Background []func(context.Context) error
}

// Run runs the service that build makes, with settings from args and getenv, until ctx ends.
// Each peer (another service it calls, e.g. "directory") gets a flag --<peer>-addr and a
// variable VIF_<PEER>_ADDR.
func Run(ctx context.Context, name string, args []string, getenv func(string) string, peers []string, build func(context.Context, Deps) (Built, error)) error {
	cfg := config.New(name, getenv)
	peerAddrs := map[string]*string{}
	for _, p := range peers {
		peerAddrs[p] = cfg.String(p+"-addr", "VIF_"+strings.ToUpper(p)+"_ADDR", "127.0.0.1:9090", "gRPC address of the "+p+" service")
	}
	grpcAddr := cfg.String("grpc-addr", "VIF_GRPC_ADDR", ":9090", "gRPC listen address")
	adminAddr := cfg.String("admin-addr", "VIF_ADMIN_ADDR", ":9091", "admin listen address (/metrics, /healthz); empty to disable")
	dsn := cfg.String("database", "VIF_DATABASE_URL", "", "postgres:// URL, or a SQLite file path")
	natsURL := cfg.String("nats-url", "VIF_NATS_URL", "nats://127.0.0.1:4222", "NATS server URL(s), comma-separated")
	natsCreds := cfg.String("nats-creds", "VIF_NATS_CREDS", "", "file of this service's NATS credentials: its nkey seed (vif events credentials writes one per service) or a NATS .creds file")
	keyPath := cfg.String("auth-public-key", "VIF_AUTH_PUBLIC_KEY", "", "PEM file of the Ed25519 key that verifies vif's own bearer tokens")
	issuers := cfg.String("oidc-issuers", "VIF_OIDC_ISSUERS", "", auth.IssuersFlagHelp)
	seed := cfg.Bool("seed", "VIF_SEED", true, "create the default data set on the first start")
	replicas := cfg.String("stream-replicas", "VIF_STREAM_REPLICAS", "1", "replicas of the VIF stream (3 in a NATS cluster)")
	logLevel := cfg.String("log-level", "VIF_LOG_LEVEL", "info", "debug, info, warn or error")
	pprofOn := cfg.Bool("pprof", "VIF_PPROF", false, "serve Go's profiles under /debug/pprof/ on the admin address")
	shutdown := cfg.Duration("shutdown-timeout", "VIF_SHUTDOWN_TIMEOUT", 10*time.Second, "how long in-flight calls get on shutdown")
	showVersion := cfg.FlagSet.Bool("version", false, "print the module version and commit, and exit")
	healthCheck := cfg.FlagSet.Bool("health-check", false, "ask the server on --grpc-addr for its health and exit: 0 when SERVING (a container health check)")
	if err := cfg.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *showVersion {
		_, err := fmt.Fprintln(os.Stdout, version.Line(name))
		return err
	}
	if *healthCheck {
		return HealthCheck(ctx, *grpcAddr)
	}
	log, err := NewLogger(*logLevel)
	if err != nil {
		return err
	}
	log = log.With("service", name)
	if *dsn == "" {
		return errors.New("no database: set --database or VIF_DATABASE_URL")
	}
	verifier, err := auth.NewVerifier(*keyPath, *issuers)
	if err != nil {
		return err
	}
	var streamReplicas int
	if _, err := fmt.Sscan(*replicas, &streamReplicas); err != nil || streamReplicas < 1 {
		return fmt.Errorf("--stream-replicas must be a positive integer, got %q", *replicas)
	}

	db, err := storage.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	creds, err := eventbus.CredsOption(*natsCreds)
	if err != nil {
		return err
	}
	nc, err := eventbus.Connect(*natsURL, name, log, creds)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}

	conns := map[string]*grpc.ClientConn{}
	for p, addr := range peerAddrs {
		conn, err := grpcclient.New(*addr)
		if err != nil {
			return fmt.Errorf("--%s-addr: %w", p, err)
		}
		defer conn.Close()
		conns[p] = conn
	}
	built, err := build(ctx, Deps{DB: db, JetStream: js, Logger: log, Seed: *seed, Peers: conns})
	if err != nil {
		return err
	}
	srv, err := grpcserver.New(grpcserver.Options{
		Logger:          log,
		Verifier:        verifier,
		Services:        []grpcserver.Service{built.Service},
		ShutdownTimeout: *shutdown,
		Pprof:           *pprofOn,
	})
	if err != nil {
		return err
	}
	lis, err := net.Listen("tcp", *grpcAddr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", *grpcAddr, err)
	}
	var adminLis net.Listener
	if *adminAddr != "" {
		if adminLis, err = net.Listen("tcp", *adminAddr); err != nil {
			lis.Close()
			return fmt.Errorf("listen %s: %w", *adminAddr, err)
		}
	}
	log.Info("serving", "grpc", lis.Addr().String(), "admin", *adminAddr, "nats", *natsURL, "database", string(db.Dialect))

	g, ctx := errgroup.WithContext(ctx)
	// The background work (the outbox relay) stops only once the server has drained: the calls
	// the drain lets finish commit events, which go out before the process exits.
	bgCtx, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	g.Go(func() error {
		defer stopBackground()
		return srv.Serve(ctx, lis, adminLis)
	})
	g.Go(func() error {
		return KeepStream(bgCtx, js, eventbus.StreamOptions{Replicas: streamReplicas}, log)
	})
	for _, bg := range built.Background {
		g.Go(func() error { return bg(bgCtx) })
	}
	err = g.Wait()
	log.Info("stopped")
	return err
}

// KeepStream makes sure the VIF stream exists, retrying while NATS is unreachable, so a service
// may start before the bus. Until then the outbox relay's publishes fail and are retried.
func KeepStream(ctx context.Context, js jetstream.JetStream, o eventbus.StreamOptions, log *slog.Logger) error {
	wait := 200 * time.Millisecond
	for {
		if _, err := eventbus.EnsureStream(ctx, js, o); err == nil {
			return nil
		} else if ctx.Err() == nil {
			log.Warn("cannot ensure the event stream yet; retrying", "err", err, "in", wait)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, 10*time.Second)
	}
}

// NewLogger returns a JSON logger on stderr at the named level.
func NewLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	return slog.New(requestid.Handler(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))), nil
}

// Package daemon is the main loop of a service running as its own process (the distributed
// shape): settings from flags and environment, the database, NATS and the VIF stream, the gRPC
// server with its admin endpoints, the service's background work (its outbox relay), tracing when
// the OTEL_* variables ask for it (platform/telemetry), and a graceful stop on SIGINT/SIGTERM.
package daemon

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/config"
	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/grpcclient"
	"github.com/vif71/vif/platform/grpcserver"
	"github.com/vif71/vif/platform/requestid"
	"github.com/vif71/vif/platform/service"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/telemetry"
	"github.com/vif71/vif/platform/version"
)

// Main is a service binary's main: it calls run with the process's arguments and environment
// until SIGINT or SIGTERM, and exits 1 after printing run's error.
func Main(name string, run func(ctx context.Context, args []string, getenv func(string) string) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

// Run runs the service that build makes, with settings from args and getenv, until ctx ends.
// Each peer (another service it calls: "directory", the only one that others call) gets a flag
// --<peer>-addr and a variable VIF_<PEER>_ADDR, and its connection is the Config's Directory.
func Run(ctx context.Context, name string, args []string, getenv func(string) string, peers []string, build service.Builder) error {
	s, err := parseSettings(name, args, getenv, peers)
	if err != nil || s == nil {
		return err
	}
	if *s.showVersion {
		_, err := fmt.Fprintln(os.Stdout, version.Line(name))
		return err
	}
	if *s.healthCheck {
		return HealthCheck(ctx, *s.grpcAddr)
	}
	log, err := NewLogger(*s.logLevel)
	if err != nil {
		return err
	}
	log = log.With("service", name)
	// Tracing, when the standard OTEL_* variables ask for it (telemetry.Setup), before anything
	// it instruments is built; its last spans are flushed once everything has stopped.
	stopTracing, err := telemetry.Setup(ctx, "vif-"+name)
	if err != nil {
		return err
	}
	defer flushTracing(ctx, stopTracing, log)
	return runService(ctx, name, s, log, build)
}

// runService is Run once the logger and tracing are set up: it checks the remaining settings,
// opens the database, NATS and the peers' connections, builds the service and serves it until
// ctx ends, closing what it opened.
func runService(ctx context.Context, name string, s *settings, log *slog.Logger, build service.Builder) error {
	if *s.dsn == "" {
		return errors.New("no database: set --database or VIF_DATABASE_URL")
	}
	verifier, err := auth.NewVerifier(*s.keyPath, *s.issuers)
	if err != nil {
		return err
	}
	var streamReplicas int
	if _, err := fmt.Sscan(*s.replicas, &streamReplicas); err != nil || streamReplicas < 1 {
		return fmt.Errorf("--stream-replicas must be a positive integer, got %q", *s.replicas)
	}

	db, err := storage.Open(ctx, *s.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	nc, js, err := connectBus(name, *s.natsURL, *s.natsCreds, log)
	if err != nil {
		return err
	}
	defer nc.Close()

	c := service.Config{DB: db, JetStream: js, Logger: log, Seed: *s.seed}
	closePeers, err := dialPeers(s.peerAddrs, &c)
	defer closePeers()
	if err != nil {
		return err
	}
	built, err := build(ctx, c)
	if err != nil {
		return err
	}
	srv, err := grpcserver.New(grpcserver.Options{
		Logger:          log,
		Verifier:        verifier,
		Services:        []grpcserver.Service{built.GRPC},
		ShutdownTimeout: *s.shutdown,
		Pprof:           *s.pprofOn,
	})
	if err != nil {
		return err
	}
	lis, adminLis, err := listen(*s.grpcAddr, *s.adminAddr)
	if err != nil {
		return err
	}
	log.Info("serving", "grpc", lis.Addr().String(), "admin", *s.adminAddr, "nats", *s.natsURL, "database", string(db.Dialect))
	err = serve(ctx, srv, lis, adminLis, js, streamReplicas, built.Background, log)
	log.Info("stopped")
	return err
}

// settings are Run's flags and environment variables, parsed.
type settings struct {
	peerAddrs                                    map[string]*string
	grpcAddr, adminAddr, dsn, natsURL, natsCreds *string
	keyPath, issuers, replicas, logLevel         *string
	seed, pprofOn, showVersion, healthCheck      *bool
	shutdown                                     *time.Duration
}

// parseSettings declares Run's flags and variables and parses args. It returns nil settings and
// no error when args ask for the help text, which the flag package has printed.
func parseSettings(name string, args []string, getenv func(string) string, peers []string) (*settings, error) {
	cfg := config.New(name, getenv)
	s := &settings{peerAddrs: map[string]*string{}}
	for _, p := range peers {
		if p != "directory" {
			return nil, fmt.Errorf("daemon: peer %q: only the directory is called by other services", p)
		}
		s.peerAddrs[p] = cfg.String(p+"-addr", "VIF_"+strings.ToUpper(p)+"_ADDR", "127.0.0.1:9090", "gRPC address of the "+p+" service")
	}
	s.grpcAddr = cfg.String("grpc-addr", "VIF_GRPC_ADDR", ":9090", "gRPC listen address")
	s.adminAddr = cfg.String("admin-addr", "VIF_ADMIN_ADDR", ":9091", "admin listen address (/metrics, /healthz); empty to disable")
	s.dsn = cfg.String("database", "VIF_DATABASE_URL", "", "postgres:// URL, or a SQLite file path")
	s.natsURL = cfg.String("nats-url", "VIF_NATS_URL", "nats://127.0.0.1:4222", "NATS server URL(s), comma-separated")
	s.natsCreds = cfg.String("nats-creds", "VIF_NATS_CREDS", "", "file of this service's NATS credentials: its nkey seed (vif events credentials writes one per service) or a NATS .creds file")
	s.keyPath = cfg.String("auth-public-key", "VIF_AUTH_PUBLIC_KEY", "", "PEM file of the Ed25519 key that verifies vif's own bearer tokens")
	s.issuers = cfg.String("oidc-issuers", "VIF_OIDC_ISSUERS", "", auth.IssuersFlagHelp)
	s.seed = cfg.Bool("seed", "VIF_SEED", true, "create the default data set on the first start")
	s.replicas = cfg.String("stream-replicas", "VIF_STREAM_REPLICAS", "1", "replicas of the VIF stream (3 in a NATS cluster)")
	s.logLevel = cfg.String("log-level", "VIF_LOG_LEVEL", "info", "debug, info, warn or error")
	s.pprofOn = cfg.Bool("pprof", "VIF_PPROF", false, "serve Go's profiles under /debug/pprof/ on the admin address")
	s.shutdown = cfg.Duration("shutdown-timeout", "VIF_SHUTDOWN_TIMEOUT", 10*time.Second, "how long in-flight calls get on shutdown")
	s.showVersion = cfg.FlagSet.Bool("version", false, "print the module version and commit, and exit")
	s.healthCheck = cfg.FlagSet.Bool("health-check", false, "ask the server on --grpc-addr for its health and exit: 0 when SERVING (a container health check)")
	if err := cfg.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil
		}
		return nil, err
	}
	return s, nil
}

// flushTracing sends the last spans, giving them 5 s even when ctx has ended.
func flushTracing(ctx context.Context, stopTracing func(context.Context) error, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := stopTracing(ctx); err != nil {
		log.Warn("flushing the last spans failed", "err", err)
	}
}

// connectBus connects to NATS as name with the credentials in the file credsPath (none when
// empty), and opens JetStream on that connection.
func connectBus(name, natsURL, credsPath string, log *slog.Logger) (*nats.Conn, jetstream.JetStream, error) {
	creds, err := eventbus.CredsOption(credsPath)
	if err != nil {
		return nil, nil, err
	}
	nc, err := eventbus.Connect(natsURL, name, log, creds)
	if err != nil {
		return nil, nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("jetstream: %w", err)
	}
	return nc, js, nil
}

// dialPeers opens a client connection to each peer's address, as c.Directory. The function it
// returns closes the connections opened, even when it fails on a later one.
func dialPeers(peerAddrs map[string]*string, c *service.Config) (closeAll func(), err error) {
	var opened []*grpc.ClientConn
	closeAll = func() {
		for _, conn := range slices.Backward(opened) {
			conn.Close()
		}
	}
	for p, addr := range peerAddrs {
		conn, err := grpcclient.New(*addr)
		if err != nil {
			return closeAll, fmt.Errorf("--%s-addr: %w", p, err)
		}
		opened = append(opened, conn)
		c.Directory = conn
	}
	return closeAll, nil
}

// listen opens the gRPC listener and, unless adminAddr is empty, the admin one.
func listen(grpcAddr, adminAddr string) (lis, adminLis net.Listener, err error) {
	if lis, err = net.Listen("tcp", grpcAddr); err != nil {
		return nil, nil, fmt.Errorf("listen %s: %w", grpcAddr, err)
	}
	if adminAddr != "" {
		if adminLis, err = net.Listen("tcp", adminAddr); err != nil {
			lis.Close()
			return nil, nil, fmt.Errorf("listen %s: %w", adminAddr, err)
		}
	}
	return lis, adminLis, nil
}

// serve runs the server, the keeping of the VIF stream and the service's background work until
// ctx ends or one of them fails.
func serve(ctx context.Context, srv *grpcserver.Server, lis, adminLis net.Listener, js jetstream.JetStream, streamReplicas int, background []func(context.Context) error, log *slog.Logger) error {
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
	for _, bg := range background {
		g.Go(func() error { return bg(bgCtx) })
	}
	return g.Wait()
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

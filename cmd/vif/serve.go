package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/test/bufconn"

	"github.com/vif71/vif/gateway"
	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/config"
	"github.com/vif71/vif/platform/daemon"
	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/grpcclient"
	"github.com/vif71/vif/platform/grpcserver"
	"github.com/vif71/vif/platform/service"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/telemetry"
	"github.com/vif71/vif/services/directory"
	"github.com/vif71/vif/services/fleet"
	"github.com/vif71/vif/services/funding"
	"github.com/vif71/vif/services/statistics"
)

// Files in the data directory.
const (
	keyFile       = "auth.key" // signs the tokens `vif token` prints; never leaves the machine
	publicKeyFile = "auth.pub" // verifies them; give it to services run apart
)

// natsKeysDir, in the data directory, holds the NATS nkey seeds: one per service, and the
// read-only one of outside subscribers (eventbus.Keyring).
const natsKeysDir = "nats-keys"

// settings are what `vif serve` is told.
type settings struct {
	dataDir, httpAddr, grpcAddr, natsAddr, adminAddr string
	seed                                             bool
	pprof                                            bool // /debug/pprof/ on the admin address
	corsOrigins                                      []string
	oidcIssuers                                      string // auth.LoadIssuers; empty: vif's own tokens only
	authAddr, authIssuer                             string // the built-in OpenID provider (signin.go); empty authAddr: none
	threshold                                        int64
	log                                              *slog.Logger
}

// serve runs the embedded default until ctx ends.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	s, err := parseSettings(args, getenv)
	if err != nil || s == nil {
		return err
	}
	// Tracing, when the standard OTEL_* variables ask for it, before the parts it instruments
	// are built; the last spans are flushed once they have all stopped.
	stopTracing, err := telemetry.Setup(ctx, "vif")
	if err != nil {
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := stopTracing(ctx); err != nil {
			s.log.Warn("flushing the last spans failed", "err", err)
		}
	}()
	inst, err := start(ctx, *s)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, `vif is running (embedded default, data in %s)
  REST     http://%s   (OpenAPI at /openapi.json, API reference at /docs, health at /healthz)
  gRPC     %s
  NATS     %s   (stream %s, subjects %s; read-only credentials %s)
  metrics  %s
%sGet a token with: go run ./cmd/vif token --role admin --data-dir %s
Watch the events with: go run ./cmd/vif events tail --data-dir %s
Stop with Ctrl-C.
`, s.dataDir, inst.httpAddr, inst.grpcAddr, inst.natsURL, eventbus.StreamName, eventbus.SubjectAll, inst.readerCreds, inst.metricsURL, signInBanner(inst), s.dataDir, s.dataDir)
	err = inst.wait()
	s.log.Info("vif stopped")
	return err
}

// parseSettings reads what `vif serve` is told from its flags and environment; nil settings and
// no error when the user asked for the help.
func parseSettings(args []string, getenv func(string) string) (*settings, error) {
	cfg := config.New("vif serve", getenv)
	dataDir := cfg.String("data-dir", "VIF_DATA_DIR", ".vif", "where the SQLite files, the NATS store and the token key live")
	httpAddr := cfg.String("http-addr", "VIF_HTTP_ADDR", "127.0.0.1:8080", "REST gateway listen address")
	grpcAddr := cfg.String("grpc-addr", "VIF_GRPC_ADDR", "127.0.0.1:9090", "gRPC listen address")
	natsAddr := cfg.String("nats-addr", "VIF_NATS_ADDR", "127.0.0.1:4222", "embedded NATS listen address, for outside subscribers")
	adminAddr := cfg.String("admin-addr", "VIF_ADMIN_ADDR", "127.0.0.1:9091", "admin listen address (/metrics, /healthz); empty to disable")
	seed := cfg.Bool("seed", "VIF_SEED", true, "create the Saône-et-Loire data set on the first start")
	pprofOn := cfg.Bool("pprof", "VIF_PPROF", false, "serve Go's profiles under /debug/pprof/ on the admin address")
	threshold := cfg.Int64("disclosure-threshold", "VIF_DISCLOSURE_THRESHOLD", statistics.DefaultThreshold, "statistics: counts from 1 to this minus 1 are hidden from callers not entitled to raw counts")
	logLevel := cfg.String("log-level", "VIF_LOG_LEVEL", "info", "debug, info, warn or error")
	oidcIssuers := cfg.String("oidc-issuers", "VIF_OIDC_ISSUERS", "", auth.IssuersFlagHelp)
	authAddr := cfg.String("auth-addr", "VIF_AUTH_ADDR", "127.0.0.1:8081", "built-in OpenID provider (login page, tokens) listen address; empty to run none")
	authIssuer := cfg.String("auth-issuer", "VIF_AUTH_ISSUER", "", "the built-in provider's public URL when a proxy serves it (https://connexion.example.fr); default http://<auth-addr>")
	corsOrigins := cfg.String("cors-origins", "VIF_CORS_ORIGINS", "", "web origins whose pages may call the REST API from a browser, comma-separated (https://console.example.fr); empty: same origin only")
	if err := cfg.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil
		}
		return nil, err
	}
	if *threshold < 1 {
		return nil, fmt.Errorf("--disclosure-threshold %d: want at least 1", *threshold)
	}
	log, err := daemon.NewLogger(*logLevel)
	if err != nil {
		return nil, err
	}
	return &settings{
		dataDir: *dataDir, httpAddr: *httpAddr, grpcAddr: *grpcAddr, natsAddr: *natsAddr,
		adminAddr: *adminAddr, seed: *seed, threshold: *threshold, log: log,
		corsOrigins: splitList(*corsOrigins), oidcIssuers: *oidcIssuers, pprof: *pprofOn,
		authAddr: *authAddr, authIssuer: *authIssuer,
	}, nil
}

// instance is a running embedded default.
type instance struct {
	httpAddr, grpcAddr, natsURL, metricsURL string
	group                                   *errgroup.Group
	closers                                 []func()

	// readerCreds is the read-only NATS credentials file handed to outside subscribers.
	readerCreds string

	// issuer is the built-in OpenID provider's URL ("" when it does not run); demoPasswords the
	// file of the demo accounts' passwords ("" without the seed).
	issuer, demoPasswords string
}

// wait blocks until the instance stops (its context ended, or a part failed), then releases
// everything in the reverse order of start.
func (in *instance) wait() error {
	err := in.group.Wait()
	in.close()
	return err
}

func (in *instance) close() {
	for i := len(in.closers) - 1; i >= 0; i-- {
		in.closers[i]()
	}
	in.closers = nil
}

// start brings up NATS, the services, the gRPC server and the gateway, and returns once they
// listen. They stop when ctx ends.
func start(ctx context.Context, s settings) (_ *instance, err error) {
	in := &instance{}
	defer func() {
		if err != nil {
			in.close()
		}
	}()
	natsHost, natsPort, err := splitHostPort(s.natsAddr)
	if err != nil {
		return nil, fmt.Errorf("--nats-addr: %w", err)
	}
	if natsPort == 0 {
		natsPort = server.RANDOM_PORT // the NATS server reads 0 as its default port, 4222
	}
	if err := os.MkdirAll(s.dataDir, 0o700); err != nil {
		return nil, err
	}
	key, err := loadKeys(s.dataDir)
	if err != nil {
		return nil, err
	}
	js, err := startNATS(ctx, in, s, natsHost, natsPort)
	if err != nil {
		return nil, err
	}
	lis := &listeners{}
	if lis.grpc, err = listen(in, s.grpcAddr); err != nil {
		return nil, err
	}
	// The services that call the directory reach the gRPC server of this process through an
	// in-memory listener: the same server, so the full interceptor chain, without a TCP hop.
	// Outside clients use lis.grpc; the gateway calls the services in process (srv.InProcess).
	lis.mem = bufconn.Listen(inMemoryBuffer)
	in.closers = append(in.closers, func() { lis.mem.Close() })
	memDial := grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.mem.DialContext(ctx) })
	services, background, err := buildServices(ctx, in, s, js, inMemoryTarget, memDial)
	if err != nil {
		return nil, err
	}
	verifier, err := newVerifier(in, s, key, lis)
	if err != nil {
		return nil, err
	}
	srv, err := grpcserver.New(grpcserver.Options{Logger: s.log, Verifier: verifier, Services: services, Pprof: s.pprof})
	if err != nil {
		return nil, err
	}
	if err := lis.listenHTTP(in, s); err != nil {
		return nil, err
	}
	var signIn *http.Server
	if lis.auth != nil {
		if signIn, err = startSignIn(ctx, in, s, dialAddr(lis.http.Addr())); err != nil {
			return nil, err
		}
	}
	in.run(ctx, s, srv, &verifier, lis, signIn, background)
	return in, nil
}

// listeners are the instance's: gRPC for outside clients, the in-memory one for the services'
// own calls, REST, admin (nil when disabled) and the built-in OpenID provider's (nil when it
// does not run).
type listeners struct {
	grpc, http, admin, auth net.Listener
	mem                     *bufconn.Listener
}

// listenHTTP opens the REST and admin listeners and records their addresses on in.
func (l *listeners) listenHTTP(in *instance, s settings) (err error) {
	if l.http, err = listen(in, s.httpAddr); err != nil {
		return err
	}
	in.metricsURL = "disabled"
	if s.adminAddr != "" {
		if l.admin, err = listen(in, s.adminAddr); err != nil {
			return err
		}
		in.metricsURL = "http://" + l.admin.Addr().String() + "/metrics"
	}
	in.grpcAddr, in.httpAddr = l.grpc.Addr().String(), l.http.Addr().String()
	return nil
}

// startNATS starts the embedded NATS server and connects each service with its own identity,
// allowed its own subjects only, as it would running apart; it returns their JetStream contexts.
func startNATS(ctx context.Context, in *instance, s settings, host string, port int) (map[string]jetstream.JetStream, error) {
	natsKeys, err := eventbus.LoadOrCreateKeyring(filepath.Join(s.dataDir, natsKeysDir))
	if err != nil {
		return nil, err
	}
	in.readerCreds = natsKeys.SeedFile(eventbus.Reader)
	ns, err := eventbus.StartEmbedded(eventbus.EmbeddedOptions{
		Host: host, Port: port, StoreDir: filepath.Join(s.dataDir, "nats"), ServerName: "vif", Logger: s.log,
		Users: natsKeys.Users(),
	})
	if err != nil {
		return nil, err
	}
	in.closers = append(in.closers, func() { ns.Shutdown(); ns.WaitForShutdown() })
	in.natsURL = ns.ClientURL()
	js := map[string]jetstream.JetStream{}
	for _, name := range eventbus.Services {
		creds, err := eventbus.CredsOption(natsKeys.SeedFile(name))
		if err != nil {
			return nil, err
		}
		nc, err := eventbus.Connect(ns.ClientURL(), "vif-"+name, s.log, creds)
		if err != nil {
			return nil, err
		}
		in.closers = append(in.closers, func() { _ = nc.Drain() })
		if js[name], err = jetstream.New(nc); err != nil {
			return nil, err
		}
	}
	if _, err := eventbus.EnsureStream(ctx, js["directory"], eventbus.StreamOptions{}); err != nil {
		return nil, err
	}
	return js, nil
}

// newVerifier is how the services check tokens: vif's own key, the OpenID issuers of
// --oidc-issuers and the built-in provider, whose listener it opens into lis.auth when it runs.
func newVerifier(in *instance, s settings, key ed25519.PrivateKey, lis *listeners) (auth.Verifier, error) {
	verifier := auth.Verifier{Key: key.Public().(ed25519.PublicKey)}
	issuers, err := auth.LoadIssuers(s.oidcIssuers)
	if err != nil {
		return verifier, err
	}
	if lis.auth, err = listenSignIn(in, s); err != nil {
		return verifier, err
	}
	if lis.auth != nil {
		issuers = append(issuers, signInIssuer(in.issuer))
	}
	if len(issuers) > 0 {
		if verifier.OIDC, err = auth.NewOIDCVerifier(issuers, nil); err != nil {
			return verifier, err
		}
	}
	return verifier, nil
}

// run serves every part in in.group until ctx ends. The background work (the outbox relays)
// stops only once the gRPC server and the gateway have drained: the calls the drain lets finish
// commit events, which go out before the process exits.
func (in *instance) run(ctx context.Context, s settings, srv *grpcserver.Server, verifier *auth.Verifier, lis *listeners, signIn *http.Server, background []func(context.Context) error) {
	g, ctx := errgroup.WithContext(ctx)
	in.group = g
	bgCtx, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	var serving sync.WaitGroup
	serving.Add(2)
	go func() { serving.Wait(); stopBackground() }()
	g.Go(func() error {
		defer serving.Done()
		return srv.Serve(ctx, lis.grpc, lis.admin)
	})
	g.Go(func() error {
		// srv.Serve's graceful stop closes this listener too, and waits for its calls.
		if err := srv.GRPC().Serve(lis.mem); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			return fmt.Errorf("grpc in memory: %w", err)
		}
		return nil
	})
	for _, bg := range background {
		g.Go(func() error { return bg(bgCtx) })
	}
	if signIn != nil {
		g.Go(func() error { return serveSignIn(ctx, signIn, lis.auth) })
	}
	g.Go(func() error {
		defer serving.Done()
		// The gateway calls the services in process: the server's interceptor chain, without a
		// transport (grpcserver.Server.InProcess). Its graceful stop drains those calls.
		return gateway.RunListener(ctx, lis.http, gateway.Options{
			Logger:         s.log.With("component", "gateway"),
			Backends:       gateway.Backends(func(string) string { return "in-process" }),
			InProcess:      srv.InProcess(),
			Verifier:       verifier,
			AllowedOrigins: s.corsOrigins,
			Registry:       srv.Registry(),
			SignInIssuer:   in.issuer,
		})
	})
}

// The in-memory listener between the services of this process: its buffer, and the target its
// clients dial (passthrough: the dialer ignores the address).
const (
	inMemoryBuffer = 1 << 20
	inMemoryTarget = "passthrough:///vif-in-process"
)

// buildServices opens each service's SQLite file and builds it. Services that call others reach
// them through target, this process's own gRPC server, as they would across the network. The
// directory comes first: its seed runs before it is served, the others' wait for it.
func buildServices(ctx context.Context, in *instance, s settings, js map[string]jetstream.JetStream, target string, dial ...grpc.DialOption) ([]grpcserver.Service, []func(context.Context) error, error) {
	self, err := grpcclient.New(target, dial...)
	if err != nil {
		return nil, nil, err
	}
	in.closers = append(in.closers, func() { self.Close() })
	builders := []struct {
		name  string
		build service.Builder
	}{
		{"directory", directory.New},
		{"funding", funding.New},
		{"fleet", fleet.New},
		{"statistics", statistics.Builder(s.threshold)},
	}
	var services []grpcserver.Service
	var background []func(context.Context) error
	for _, b := range builders {
		db, err := storage.Open(ctx, filepath.Join(s.dataDir, b.name+".db"))
		if err != nil {
			return nil, nil, err
		}
		in.closers = append(in.closers, func() { db.Close() })
		svc, err := b.build(ctx, service.Config{DB: db, JetStream: js[b.name], Directory: self, Logger: s.log.With("service", b.name), Seed: s.seed})
		if err != nil {
			return nil, nil, err
		}
		services = append(services, svc.GRPC)
		background = append(background, svc.Background...)
	}
	return services, background, nil
}

// listen opens a TCP listener that in closes if start fails before serving it.
func listen(in *instance, addr string) (net.Listener, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	in.closers = append(in.closers, func() { lis.Close() })
	return lis, nil
}

// loadKeys loads the instance's signing key, creating it on first use, and keeps the public half
// beside it for services that run apart and only verify tokens.
func loadKeys(dataDir string) (ed25519.PrivateKey, error) {
	key, err := auth.LoadOrCreatePrivateKey(filepath.Join(dataDir, keyFile))
	if err != nil {
		return nil, err
	}
	if err := auth.WritePublicKey(filepath.Join(dataDir, publicKeyFile), key.Public().(ed25519.PublicKey)); err != nil {
		return nil, err
	}
	return key, nil
}

// splitList splits a comma-separated setting, dropping empty items.
func splitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func splitHostPort(addr string) (string, int, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return "", 0, fmt.Errorf("port %q is not a number", portStr)
	}
	return host, port, nil
}

// dialAddr is the address to reach a listener on this machine: a wildcard host means loopback.
func dialAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	if tcp.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
	}
	return tcp.String()
}

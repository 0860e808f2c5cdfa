// Package grpcserver is the bootstrap every vif service shares: one gRPC server with health,
// reflection, and the interceptor chain (recovery, the standard gRPC metrics of go-grpc-middleware's
// Prometheus provider, logging, authentication and audit, protovalidate, error mapping), an admin
// HTTP listener with Prometheus metrics (the server's, the client's of grpcclient, Go's and the
// process's, the services' own), and a graceful
// shutdown with a deadline: unary calls in flight finish, streams (Health/Watch) end at once with
// Unavailable, so one open stream does not hold the stop.
package grpcserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"time"

	"buf.build/go/protovalidate"
	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	"github.com/vif71/vif/platform/apierr"
	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/grpcclient"
	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/platform/requestid"
	"github.com/vif71/vif/platform/telemetry"
)

// Service is one gRPC service to host, with what the shared interceptors need to know about it.
type Service struct {
	// Name is the full service name, e.g. "vif.directory.v1.DirectoryService"; the health service
	// reports it.
	Name string
	// Register registers the implementation on the server.
	Register func(grpc.ServiceRegistrar)
	// Policy says who may call each method.
	Policy auth.Policy
	// Errors maps the service's domain errors to gRPC codes.
	Errors []apierr.Mapping
	// Collectors are the service's own metrics (its outbox relay's), served on /metrics.
	Collectors []prometheus.Collector
}

// Options configure a Server.
type Options struct {
	Logger   *slog.Logger
	Verifier auth.Verifier
	Services []Service
	// ShutdownTimeout bounds the graceful stop: in-flight unary calls get this long, then the
	// server closes every connection. Streams do not wait for it: they end when the stop begins.
	// Zero means 10 seconds.
	ShutdownTimeout time.Duration
	// Registry receives the server's metrics; nil means a new registry with the Go and process
	// collectors.
	Registry *prometheus.Registry
	// Pprof serves Go's profiles (net/http/pprof) under /debug/pprof/ on the admin listener. Off
	// by default: a profile shows what the process is doing to whoever reaches the admin port.
	Pprof bool
}

// Server hosts services over gRPC.
type Server struct {
	grpc      *grpc.Server
	inProcess *inProcess
	workers   *workers
	health    *health.Server
	registry  *prometheus.Registry
	opts      Options
	// endStreams ends every open stream, and any opened later: called when the stop begins.
	endStreams context.CancelFunc
}

// New builds the server and registers every service, health and reflection, on the gRPC server
// and on the in-process channel (InProcess).
func New(o Options) (*Server, error) {
	o = o.withDefaults()
	policy, errTable, err := o.collect()
	if err != nil {
		return nil, err
	}
	metrics, err := newServerMetrics(o.Registry)
	if err != nil {
		return nil, err
	}
	// The calls this process makes to other services (grpcclient) are counted on the same page.
	if err := grpcclient.RegisterMetrics(o.Registry); err != nil {
		return nil, fmt.Errorf("grpcserver: %w", err)
	}
	validator, err := protovalidate.New()
	if err != nil {
		return nil, fmt.Errorf("grpcserver: protovalidate: %w", err)
	}
	codec := newLenientCodec()
	stopping, endStreams := context.WithCancel(context.Background())
	chain := o.chain(metrics, codec, validator, stopping, policy, errTable)
	// When tracing is on (telemetry.Enabled when New is called), each call gets a server span
	// that continues its caller's trace, and every log line of the call its trace id.
	g := grpc.NewServer(append([]grpc.ServerOption{
		grpc.ForceServerCodecV2(codec),
		// A pool of goroutines serves the calls: a new goroutine per call grows its stack again
		// through the interceptor chain on each one (runtime.newstack in the profile).
		grpc.NumStreamWorkers(uint32(runtime.GOMAXPROCS(0))),
		grpc.ChainStreamInterceptor(chain.stream...),
		grpc.ChainUnaryInterceptor(chain.unary...),
	}, telemetry.ServerOptions()...)...)
	pool := newWorkers(runtime.GOMAXPROCS(0))
	ch := newInProcess(pool)
	hs := health.NewServer()
	for _, r := range []grpc.ServiceRegistrar{g, chain.on(ch)} {
		healthpb.RegisterHealthServer(r, hs)
		for _, s := range o.Services {
			s.Register(r)
		}
	}
	reflection.Register(g)
	// Every method's series exist from the start, at zero, so a rate or an alert has a baseline.
	metrics.InitializeMetrics(g)
	return &Server{grpc: g, inProcess: ch, workers: pool, health: hs, registry: o.Registry, opts: o, endStreams: endStreams}, nil
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	o.Logger = requestid.Logger(o.Logger)
	if o.ShutdownTimeout == 0 {
		o.ShutdownTimeout = 10 * time.Second
	}
	if o.Verifier.Cache == nil {
		// A caller sends the same token on every call: its signature is checked once per
		// auth.DefaultCacheMaxAge, not on each call (auth.TokenCache). Pass a Verifier with its
		// own Cache to choose the size or age.
		o.Verifier.Cache = auth.NewTokenCache(0, 0)
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
		o.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	return o
}

// collect merges the services' policies and error tables, and registers their metrics.
func (o Options) collect() (auth.Policy, []apierr.Mapping, error) {
	policy := auth.Policy{}
	var errTable []apierr.Mapping
	for _, s := range o.Services {
		maps.Copy(policy, s.Policy)
		errTable = append(errTable, s.Errors...)
	}
	for _, s := range o.Services {
		for _, c := range s.Collectors {
			if err := o.Registry.Register(c); err != nil {
				return nil, nil, fmt.Errorf("grpcserver: metrics of %s: %w", s.Name, err)
			}
		}
	}
	return policy, errTable, nil
}

// interceptors are the server's chains, outermost first: the same on the gRPC server and on
// the in-process channel.
type interceptors struct {
	unary  []grpc.UnaryServerInterceptor
	stream []grpc.StreamServerInterceptor
}

func (o Options) chain(metrics *grpcprom.ServerMetrics, codec lenientCodec, validator protovalidate.Validator, stopping context.Context, policy auth.Policy, errTable []apierr.Mapping) interceptors {
	return interceptors{
		stream: []grpc.StreamServerInterceptor{
			requestid.StreamServerInterceptor(),
			metrics.StreamServerInterceptor(),
			endStreamsInterceptor(stopping),
			auth.StreamServerInterceptor(o.Verifier, policy, o.Logger),
			codec.streamInterceptor(),
		},
		unary: []grpc.UnaryServerInterceptor{
			requestid.UnaryServerInterceptor(),
			recoverInterceptor(o.Logger),
			metrics.UnaryServerInterceptor(),
			logInterceptor(o.Logger),
			auth.UnaryServerInterceptor(o.Verifier, policy, o.Logger),
			codec.unaryInterceptor(),
			validateInterceptor(validator),
			apierr.UnaryServerInterceptor(errTable, o.Logger),
			idempotency.UnaryServerInterceptor(),
		},
	}
}

// GRPC returns the underlying server, e.g. to serve it on a bufconn listener in tests.
func (s *Server) GRPC() *grpc.Server { return s.grpc }

// Registry returns the metrics registry, for services that add their own metrics.
func (s *Server) Registry() *prometheus.Registry { return s.registry }

// Serve serves gRPC on lis, and the admin endpoints (/metrics, /healthz) on admin when it is not
// nil, until ctx ends; then it marks every service NOT_SERVING, stops accepting calls, ends the
// open streams, lets the running unary calls finish within the shutdown timeout, and returns.
func (s *Server) Serve(ctx context.Context, lis net.Listener, admin net.Listener) error {
	s.setServing(healthpb.HealthCheckResponse_SERVING)
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := s.grpc.Serve(lis); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			return fmt.Errorf("grpc: %w", err)
		}
		return nil
	})
	var adminSrv *http.Server
	if admin != nil {
		adminSrv = &http.Server{Handler: s.adminHandler(), ReadHeaderTimeout: 5 * time.Second}
		g.Go(func() error {
			if err := adminSrv.Serve(admin); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("admin http: %w", err)
			}
			return nil
		})
	}
	g.Go(func() error {
		<-ctx.Done()
		s.shutdown(adminSrv)
		return nil
	})
	return g.Wait()
}

func (s *Server) shutdown(adminSrv *http.Server) {
	s.setServing(healthpb.HealthCheckResponse_NOT_SERVING)
	start := time.Now()
	done := make(chan struct{})
	go func() {
		s.grpc.GracefulStop()
		close(done)
	}()
	// A stream never ends on its own (a Health/Watch lasts as long as its client): GracefulStop
	// would wait for it until the timeout.
	s.endStreams()
	select {
	case <-done:
		s.opts.Logger.Info("grpc server drained", "duration_ms", time.Since(start).Milliseconds())
	case <-time.After(s.opts.ShutdownTimeout):
		s.opts.Logger.Warn("graceful stop timed out; closing connections", "timeout", s.opts.ShutdownTimeout)
		s.grpc.Stop()
	}
	s.workers.close()
	if adminSrv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = adminSrv.Shutdown(ctx)
	}
}

func (s *Server) setServing(st healthpb.HealthCheckResponse_ServingStatus) {
	s.health.SetServingStatus("", st)
	for _, svc := range s.opts.Services {
		s.health.SetServingStatus(svc.Name, st)
	}
}

func (s *Server) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	if s.opts.Pprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		resp, err := s.health.Check(r.Context(), &healthpb.HealthCheckRequest{})
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			http.Error(w, "not serving", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	return mux
}

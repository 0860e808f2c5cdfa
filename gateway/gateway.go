// Package gateway is the REST/JSON facade of vif: a grpc-gateway mux in front of the gRPC
// services, with the JSON shape, the error shape and the limits chosen here rather than left to
// grpc-gateway's defaults.
//
// Every REST call goes through a gRPC client connection to its service (never the in-process
// Register…HandlerServer), so the service's interceptors (auth, validation, audit) run on it
// exactly as they do on a gRPC call: a connection over the network, or, in the all-in-one, the
// server's in-process channel (Options.InProcess), which runs the same interceptors without a
// transport.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/grpcclient"
	"github.com/vif71/vif/platform/requestid"
	"github.com/vif71/vif/platform/telemetry"
)

// Backend is one gRPC service the gateway exposes.
type Backend struct {
	// Name is used in /healthz output and logs, e.g. "directory".
	Name string
	// Addr is the gRPC target, e.g. "127.0.0.1:9090" or "dns:///directory:9090".
	Addr string
	// Service is the full gRPC service name /healthz checks with grpc.health.v1, e.g.
	// "vif.directory.v1.DirectoryService".
	Service string
	// Register adds the service's routes, e.g. directoryv1.RegisterDirectoryServiceHandler.
	Register func(ctx context.Context, mux *runtime.ServeMux, conn *grpc.ClientConn) error
	// RegisterClient is Register for any client connection (Service.RegisterClient); only
	// Options.InProcess needs it.
	RegisterClient func(ctx context.Context, mux *runtime.ServeMux, conn grpc.ClientConnInterface) error
}

// Options configure the gateway. The zero value of every duration and size means its default.
type Options struct {
	Addr            string // HTTP listen address, e.g. "127.0.0.1:8080"; used by Run only
	Backends        []Backend
	Logger          *slog.Logger  // nil means slog.Default()
	MaxBodyBytes    int64         // 0 means 1 MiB
	ShutdownTimeout time.Duration // 0 means 10 s
	// RequestTimeout bounds a whole REST call, backend included; 0 means 30 s. It is shorter than
	// the server's WriteTimeout so a hung backend gives the client a 504 JSON error rather than a
	// dropped connection.
	RequestTimeout time.Duration
	// AllowedOrigins are the web origins (scheme://host[:port]) whose pages may call the API from
	// a browser (CORS). Empty: same-origin pages only.
	AllowedOrigins []string
	// Registry receives the gateway's HTTP metrics; nil means none are kept, unless Run serves
	// them itself on AdminAddr.
	Registry prometheus.Registerer
	// AdminAddr is where Run serves /metrics (with the Go and process metrics) when Registry is
	// nil, e.g. ":9091"; empty means nowhere. Used by Run only.
	AdminAddr string
	// Verifier checks bearer tokens with the services' public key, for one purpose only: to
	// name the caller in the audit line of a write the gateway refuses itself (a body that is not
	// JSON, an unknown parameter), which no service sees. Authorisation stays with the
	// services. Nil leaves such lines anonymous.
	Verifier *auth.Verifier
	// DialOptions are added to every backend connection's, e.g. the in-memory dialer of the
	// embedded default, whose gateway reaches the services in its own process without a TCP hop.
	DialOptions []grpc.DialOption
	// InProcess, when not nil, is a connection to services that run in this process and are
	// called without a transport (grpcserver.Server.InProcess: the same server interceptors, no
	// HTTP/2 hop, no protobuf encoding): every backend is reached through it, with its
	// RegisterClient, and Addr and DialOptions are not used. The all-in-one sets it.
	InProcess grpc.ClientConnInterface
	// SignInIssuer is the OpenID provider the console signs in with (its URL, e.g. the built-in
	// provider's http://127.0.0.1:8081). The console reads it from /console/config.json, and the
	// console's Content-Security-Policy lets it call that origin (connect-src). Empty: the console
	// offers no sign-in.
	SignInIssuer string
}

const (
	defaultMaxBodyBytes    = 1 << 20
	defaultShutdownTimeout = 10 * time.Second
	defaultRequestTimeout  = 30 * time.Second
)

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	o.Logger = requestid.Logger(o.Logger)
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = defaultMaxBodyBytes
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = defaultShutdownTimeout
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = defaultRequestTimeout
	}
	return o
}

// clientServiceConfig spreads calls over every address a dns:/// target resolves to (the pods
// behind a headless Kubernetes service); grpc-go's default, pick_first, would pin one.
const clientServiceConfig = `{"loadBalancingConfig":[{"round_robin":{}}]}`

// Handler builds the HTTP handler and one client connection per backend. The returned func
// closes the connections. Connections are lazy: a backend that is down makes its calls fail with
// 503, not Handler.
func Handler(ctx context.Context, o Options) (http.Handler, func(), error) {
	o = o.withDefaults()
	if len(o.Backends) == 0 {
		return nil, nil, errors.New("gateway: no backend")
	}
	origins, err := parseOrigins(o.AllowedOrigins)
	if err != nil {
		return nil, nil, err
	}
	metrics, err := o.metrics()
	if err != nil {
		return nil, nil, err
	}
	services := make([]string, len(o.Backends))
	for i, b := range o.Backends {
		services[i] = b.Service
	}
	routes, err := newRouteTable(services)
	if err != nil {
		return nil, nil, err
	}
	audit := &edgeAudit{log: o.Logger, verifier: o.Verifier}
	mux := newMux(o.Logger, &edge{routes: routes, audit: audit})
	checks, closeAll, err := o.connect(ctx, mux)
	if err != nil {
		return nil, nil, err
	}
	if err := registerPaths(mux, checks, o); err != nil {
		closeAll()
		return nil, nil, err
	}
	return o.middleware(mux, audit, metrics, origins), closeAll, nil
}

// metrics returns the gateway's HTTP metrics on o.Registry, nil without one.
func (o Options) metrics() (*httpMetrics, error) {
	if o.Registry == nil {
		return nil, nil
	}
	metrics, err := newHTTPMetrics(o.Registry)
	if err != nil {
		return nil, fmt.Errorf("gateway: metrics: %w", err)
	}
	// Its calls to the services, as gRPC client metrics (grpc_client_handled_total, …).
	if err := grpcclient.RegisterMetrics(o.Registry); err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	return metrics, nil
}

// connect opens each backend's connection (or takes the in-process one) and registers its
// routes on mux. The returned func closes the connections it opened.
func (o Options) connect(ctx context.Context, mux *runtime.ServeMux) ([]healthCheck, func(), error) {
	var conns []*grpc.ClientConn
	closeAll := func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}
	var inProcess grpc.ClientConnInterface
	if o.InProcess != nil {
		inProcess = grpcclient.InProcess(o.InProcess, etagInterceptor)
	}
	var checks []healthCheck
	seen := map[string]bool{}
	for _, b := range o.Backends {
		if err := b.check(inProcess != nil, seen); err != nil {
			closeAll()
			return nil, nil, err
		}
		conn, register := inProcess, b.RegisterClient
		if conn == nil {
			c, err := grpcclient.New(b.Addr, append([]grpc.DialOption{
				grpc.WithDefaultServiceConfig(clientServiceConfig),
				grpc.WithChainUnaryInterceptor(etagInterceptor),
			}, o.DialOptions...)...)
			if err != nil {
				closeAll()
				return nil, nil, fmt.Errorf("gateway: backend %q at %q: %w", b.Name, b.Addr, err)
			}
			conns = append(conns, c)
			conn, register = c, func(ctx context.Context, mux *runtime.ServeMux, _ grpc.ClientConnInterface) error {
				return b.Register(ctx, mux, c)
			}
		}
		if err := register(ctx, mux, conn); err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("gateway: registering backend %q: %w", b.Name, err)
		}
		checks = append(checks, newHealthCheck(b, conn))
	}
	return checks, closeAll, nil
}

// check reports a backend that lacks a field its connection needs, or whose name seen has.
func (b Backend) check(inProcess bool, seen map[string]bool) error {
	if inProcess && (b.Name == "" || b.Service == "" || b.RegisterClient == nil) {
		return fmt.Errorf("gateway: backend %q: Name, Service and RegisterClient are all required in process", b.Name)
	}
	if !inProcess && (b.Name == "" || b.Addr == "" || b.Service == "" || b.Register == nil) {
		return fmt.Errorf("gateway: backend %q: Name, Addr, Service and Register are all required", b.Name)
	}
	if seen[b.Name] {
		return fmt.Errorf("gateway: backend %q listed twice", b.Name)
	}
	seen[b.Name] = true
	return nil
}

// registerPaths adds the routes that are not a service's: /healthz, the OpenAPI document, the
// API reference and the console.
func registerPaths(mux *runtime.ServeMux, checks []healthCheck, o Options) error {
	if err := mux.HandlePath(http.MethodGet, "/healthz", healthzHandler(checks, o.Logger)); err != nil {
		return err
	}
	if err := mux.HandlePath(http.MethodGet, "/openapi.json", serveOpenAPI); err != nil {
		return err
	}
	if err := registerAPIDocs(mux); err != nil {
		return err
	}
	return registerConsole(mux, o.SignInIssuer)
}

// middleware wraps mux in the gateway's HTTP middleware. Outermost first: trace (when tracing
// is on); name, bound, measure, log and recover everything (observe); answer CORS; then HTTP's
// representation (HEAD, ETag, 304, gzip) around the call; then If-Match, the body's bound, and
// route.
func (o Options) middleware(mux http.Handler, audit *edgeAudit, metrics *httpMetrics, origins map[string]bool) http.Handler {
	h := mux
	h = limitBody(h, o.MaxBodyBytes, audit)
	h = ifMatch(h)
	h = representation(h)
	h = cors(h, origins)
	h = observe(h, o.Logger, metrics, o.RequestTimeout)
	if telemetry.Enabled() {
		h = traced(h)
	}
	return h
}

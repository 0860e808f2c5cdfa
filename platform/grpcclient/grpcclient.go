// Package grpcclient opens the client connections vif's parts use to reach one another (the
// gateway to each service, a service to the directory, the embedded default to itself), with one
// set of connection options.
//
// grpc-go's default reconnect backoff grows to 120 s: a backend that restarts would stay
// unreachable for up to two minutes after it answers again. These connections retry at most a
// second apart, so a recovered backend is reached within about a second.
package grpcclient

import (
	"errors"
	"fmt"
	"time"

	"github.com/fullstorydev/grpchan"
	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/vif71/vif/platform/requestid"
	"github.com/vif71/vif/platform/telemetry"
)

// MaxReconnectDelay bounds the wait between two connection attempts to a backend that is down,
// and so the time a recovered backend stays unreached.
const MaxReconnectDelay = time.Second

// ConnectParams are the reconnect backoff (100 ms, growing 1.6 times, jittered, capped at
// MaxReconnectDelay) and the time one connection attempt gets.
var ConnectParams = grpc.ConnectParams{
	Backoff: backoff.Config{
		BaseDelay:  100 * time.Millisecond,
		Multiplier: 1.6,
		Jitter:     0.2,
		MaxDelay:   MaxReconnectDelay,
	},
	MinConnectTimeout: 5 * time.Second,
}

// Metrics are the standard gRPC client metrics of go-grpc-middleware's Prometheus provider, of
// every call made through DialOptions: grpc_client_started_total, grpc_client_handled_total (with
// grpc_code), grpc_client_msg_received_total, grpc_client_msg_sent_total and the
// grpc_client_handling_seconds histogram, labelled grpc_type, grpc_service and grpc_method. One
// set per process, shared by its connections; RegisterMetrics puts it on a metrics page.
var Metrics = grpcprom.NewClientMetrics(grpcprom.WithClientHandlingTimeHistogram(grpcprom.WithHistogramBuckets(prometheus.DefBuckets)))

// RegisterMetrics registers Metrics on reg. Registering them again on the same registry is not
// an error: the embedded default's server and gateway share one.
func RegisterMetrics(reg prometheus.Registerer) error {
	var already prometheus.AlreadyRegisteredError
	if err := reg.Register(Metrics); err != nil && !errors.As(err, &already) {
		return fmt.Errorf("gRPC client metrics: %w", err)
	}
	return nil
}

// DialOptions are the options of every connection New opens: plaintext (the services talk on a
// private network; tokens travel as call metadata), ConnectParams, the request id of the call
// being served passed on (requestid.DialOptions), so one id follows a request across services,
// the client Metrics, and, when tracing is on (telemetry.Enabled when DialOptions is called), a
// client span per call whose context goes to the service called (telemetry.DialOptions).
func DialOptions() []grpc.DialOption {
	opts := append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithConnectParams(ConnectParams),
		grpc.WithChainUnaryInterceptor(Metrics.UnaryClientInterceptor()),
		grpc.WithChainStreamInterceptor(Metrics.StreamClientInterceptor()),
	}, requestid.DialOptions()...)
	return append(opts, telemetry.DialOptions()...)
}

// New returns a lazy client connection to target with DialOptions, then opts.
func New(target string, opts ...grpc.DialOption) (*grpc.ClientConn, error) {
	return grpc.NewClient(target, append(DialOptions(), opts...)...)
}

// InProcess wraps a connection that calls services in this process without a transport
// (grpcserver.Server.InProcess) with the client interceptors of DialOptions, the client Metrics
// and the request id passed on, then unary: the same as New's connection with
// grpc.WithChainUnaryInterceptor(unary...). Tracing is the channel's own (its client stats
// handler).
func InProcess(ch grpc.ClientConnInterface, unary ...grpc.UnaryClientInterceptor) grpc.ClientConnInterface {
	ch = grpchan.InterceptClientConnStream(ch, Metrics.StreamClientInterceptor(), requestid.StreamClientInterceptor())
	return grpchan.InterceptClientConnUnary(ch, append([]grpc.UnaryClientInterceptor{Metrics.UnaryClientInterceptor(), requestid.UnaryClientInterceptor()}, unary...)...)
}

// Package grpcclient opens the client connections vif's parts use to reach one another (the
// gateway to each service, a service to the directory, the embedded default to itself), with one
// set of connection options.
//
// grpc-go's default reconnect backoff grows to 120 s: a backend that restarts would stay
// unreachable for up to two minutes after it answers again. These connections retry at most a
// second apart, so a recovered backend is reached within about a second.
package grpcclient

import (
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/vif71/vif/platform/requestid"
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

// DialOptions are the options of every connection New opens: plaintext (the services talk on a
// private network; tokens travel as call metadata), ConnectParams, and the request id of the
// call being served passed on (requestid.DialOptions), so one id follows a request across services.
func DialOptions() []grpc.DialOption {
	return append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithConnectParams(ConnectParams),
	}, requestid.DialOptions()...)
}

// New returns a lazy client connection to target with DialOptions, then opts.
func New(target string, opts ...grpc.DialOption) (*grpc.ClientConn, error) {
	return grpc.NewClient(target, append(DialOptions(), opts...)...)
}

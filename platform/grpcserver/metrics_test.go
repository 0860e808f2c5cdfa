package grpcserver_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/grpcclient"
	"github.com/vif71/vif/platform/grpcserver"
)

// TestMetricsPageHasTheStandardGRPCMetrics scrapes /metrics on the admin port, as Prometheus
// would, after a unary call that succeeds, one that outlives its deadline and a Health/Watch
// stream: the server's started, handled (with the code the client saw), message and handling-time
// series by grpc_type, every method's series from the start, and the client's, made through
// grpcclient.
func TestMetricsPageHasTheStandardGRPCMetrics(t *testing.T) {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := grpcserver.New(grpcserver.Options{
		Logger:   slog.New(slog.DiscardHandler),
		Verifier: auth.Verifier{Key: pub},
		Services: []grpcserver.Service{sleepService},
	})
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	admin, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Serve(ctx, lis, admin) }()
	t.Cleanup(func() { stop(); <-stopped })
	conn, err := grpcclient.New(lis.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })

	if err := conn.Invoke(context.Background(), sleepMethod, durationpb.New(time.Millisecond), new(durationpb.Duration)); err != nil {
		t.Fatalf("Sleep: %v", err)
	}
	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := conn.Invoke(short, sleepMethod, durationpb.New(150*time.Millisecond), new(durationpb.Duration)); status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("Sleep past its deadline = %v; want DeadlineExceeded", err)
	}
	wctx, wcancel := context.WithCancel(context.Background())
	watch, err := healthpb.NewHealthClient(conn).Watch(wctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := watch.Recv(); err != nil {
		t.Fatalf("Watch: %v", err)
	}
	wcancel()

	const sleep = `grpc_method="Sleep",grpc_service="vif.test.v1.SleepService",grpc_type="unary"`
	want := []string{
		`grpc_server_started_total{` + sleep + `} 2`,
		`grpc_server_handled_total{grpc_code="OK",` + sleep + `} 1`,
		// The handler returned OK after the deadline; the client got DeadlineExceeded, and so
		// does the counter.
		`grpc_server_handled_total{grpc_code="DeadlineExceeded",` + sleep + `} 1`,
		`grpc_server_msg_received_total{` + sleep + `} 2`,
		`grpc_server_msg_sent_total{` + sleep + `} 1`,
		`grpc_server_handling_seconds_count{` + sleep + `} 2`,
		`grpc_server_handling_seconds_bucket{` + sleep + `,le="0.005"}`,
		`grpc_server_started_total{grpc_method="Watch",grpc_service="grpc.health.v1.Health",grpc_type="server_stream"} 1`,
		`grpc_server_msg_sent_total{grpc_method="Watch",grpc_service="grpc.health.v1.Health",grpc_type="server_stream"} 1`,
		// Never called, present at zero.
		`grpc_server_handled_total{grpc_code="Unavailable",grpc_method="Check",grpc_service="grpc.health.v1.Health",grpc_type="unary"} 0`,
		`grpc_client_started_total{` + sleep + `}`,
		`grpc_client_handled_total{grpc_code="OK",` + sleep + `}`,
		`grpc_client_handled_total{grpc_code="DeadlineExceeded",` + sleep + `}`,
		`grpc_client_handling_seconds_count{` + sleep + `}`,
		`grpc_client_msg_received_total{grpc_method="Watch",grpc_service="grpc.health.v1.Health",grpc_type="server_stream"}`,
		"go_goroutines",
	}
	// The server counts a call once its handler returns, which for the call past its deadline is
	// after the client gave up: scrape until every series is there.
	var page string
	for deadline := time.Now().Add(5 * time.Second); ; {
		page = scrape(t, "http://"+admin.Addr().String()+"/metrics")
		missing := missingLines(page, want)
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics lacks %q", missing)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d, %v", url, resp.StatusCode, err)
	}
	return string(b)
}

// missingLines returns the wanted samples absent from a Prometheus text page: a want ending in
// a value must match a whole line; one without must start a line.
func missingLines(page string, want []string) []string {
	var missing []string
	for _, w := range want {
		found := false
		for _, line := range strings.Split(page, "\n") {
			if line == w || (strings.HasPrefix(line, w) && !strings.Contains(w, "} ")) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, w)
		}
	}
	return missing
}

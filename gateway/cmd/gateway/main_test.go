package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vif71/vif/platform/auth"
)

// env is an environment with m and, unless m says otherwise, a public key the gateway can load.
func env(m map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := m[k]; ok || k != "VIF_AUTH_PUBLIC_KEY" {
			return v
		}
		return testKey
	}
}

// testKey is the path of a public key written once for the tests.
var testKey = func() string {
	dir, err := os.MkdirTemp("", "gateway-test")
	if err != nil {
		panic(err)
	}
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	path := filepath.Join(dir, "auth.pub")
	if err := auth.WritePublicKey(path, pub); err != nil {
		panic(err)
	}
	return path
}()

func TestOptionsDefaults(t *testing.T) {
	o, level, err := options(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if o.Verifier == nil || len(o.Verifier.Key) != ed25519.PublicKeySize {
		t.Errorf("options() Verifier = %+v; want the key of VIF_AUTH_PUBLIC_KEY", o.Verifier)
	}
	if o.Addr != ":8080" || o.MaxBodyBytes != 1<<20 || level != slog.LevelInfo {
		t.Errorf("options() = Addr %q, MaxBodyBytes %d, level %v; want :8080, 1 MiB, INFO", o.Addr, o.MaxBodyBytes, level)
	}
	want := map[string]string{"directory": "vif.directory.v1.DirectoryService", "funding": "vif.funding.v1.FundingService", "fleet": "vif.fleet.v1.FleetService", "statistics": "vif.statistics.v1.StatisticsService"}
	if len(o.Backends) != len(want) {
		t.Errorf("options() backends = %+v; want %v", o.Backends, want)
	}
	for _, b := range o.Backends {
		if want[b.Name] != b.Service || b.Addr != "127.0.0.1:9090" || b.Register == nil {
			t.Errorf("backend %+v; want %s at 127.0.0.1:9090", b, want[b.Name])
		}
	}
}

func TestOptionsFromEnvironmentAndFlags(t *testing.T) {
	o, level, err := options(
		[]string{"--directory-addr", "dns:///directory:9090", "--max-body-bytes", "2048"},
		env(map[string]string{"VIF_HTTP_ADDR": "127.0.0.1:8081", "VIF_DIRECTORY_ADDR": "ignored:1", "VIF_LOG_LEVEL": "debug"}),
	)
	if err != nil {
		t.Fatal(err)
	}
	if o.Addr != "127.0.0.1:8081" || o.Backends[0].Addr != "dns:///directory:9090" || o.MaxBodyBytes != 2048 || level != slog.LevelDebug {
		t.Errorf("options = Addr %q, directory %q, MaxBodyBytes %d, level %v; want the env's address and level, the flags' others",
			o.Addr, o.Backends[0].Addr, o.MaxBodyBytes, level)
	}
}

func TestBadSettingsAreErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--log-level", "loud"},
		{"--max-body-bytes", "0"},
		{"--max-body-bytes", "1MB"},
		{"--no-such-flag"},
	} {
		if _, _, err := options(args, env(nil)); err == nil {
			t.Errorf("options(%q) = nil error; want one", args)
		}
	}
	for _, key := range []string{"", "/nonexistent/auth.pub"} {
		if _, _, err := options(nil, env(map[string]string{"VIF_AUTH_PUBLIC_KEY": key})); err == nil {
			t.Errorf("options with VIF_AUTH_PUBLIC_KEY=%q = nil error; want one", key)
		}
	}
}

func TestRunStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := run(ctx, []string{"--http-addr", "127.0.0.1:0", "--admin-addr", "", "--log-level", "error"}, env(nil)); err != nil {
		t.Errorf("run until the context ends = %v; want nil", err)
	}
}

// The gateway run as its own process serves its HTTP metrics on the admin address.
func TestRunServesHTTPMetrics(t *testing.T) {
	httpAddr, adminAddr := freeAddr(t), freeAddr(t)
	args := []string{"--http-addr", httpAddr, "--admin-addr", adminAddr, "--log-level", "error"}
	for _, s := range []string{"directory", "funding", "fleet", "statistics"} {
		args = append(args, "--"+s+"-addr", freeAddr(t)) // nothing listens: /healthz is 503
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, env(nil)) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run = %v", err)
		}
	}()
	var body string
	for range 100 {
		if resp, err := http.Get("http://" + httpAddr + "/healthz"); err == nil {
			resp.Body.Close()
		} else {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		resp, err := http.Get("http://" + adminAddr + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range []string{"go_goroutines", `http_server_requests_total{code="503",method="GET",route="/healthz"} 1`, "http_server_request_duration_seconds_bucket",
		// Its calls to the services, as the standard gRPC client metrics.
		`grpc_client_started_total{grpc_method="Check",grpc_service="grpc.health.v1.Health",grpc_type="unary"}`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics of the gateway has no %s:\n%.400s", want, body)
		}
	}
}

func TestHelpIsNotAnError(t *testing.T) {
	if err := run(context.Background(), []string{"-h"}, env(nil)); err != nil {
		t.Errorf("run -h = %v; want nil", err)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	return lis.Addr().String()
}

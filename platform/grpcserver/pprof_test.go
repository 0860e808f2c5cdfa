package grpcserver

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

	"github.com/vif71/vif/platform/auth"
)

// TestPprofOnlyWhenAsked: the admin listener serves Go's profiles under /debug/pprof/ when
// Options.Pprof is set, and not otherwise; /metrics is there in both cases.
func TestPprofOnlyWhenAsked(t *testing.T) {
	for _, on := range []bool{false, true} {
		pub, _, _ := ed25519.GenerateKey(rand.Reader)
		srv, err := New(Options{Logger: slog.New(slog.DiscardHandler), Verifier: auth.Verifier{Key: pub}, Pprof: on})
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
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- srv.Serve(ctx, lis, admin) }()
		get := func(path string) (int, string) {
			resp, err := http.Get("http://" + admin.Addr().String() + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(body)
		}
		if code, _ := get("/metrics"); code != 200 {
			t.Errorf("Pprof %v: GET /metrics = %d; want 200", on, code)
		}
		code, body := get("/debug/pprof/")
		if on && (code != 200 || !strings.Contains(body, "goroutine")) {
			t.Errorf("Pprof on: GET /debug/pprof/ = %d; want 200 with the profiles listed", code)
		}
		if !on && code != 404 {
			t.Errorf("Pprof off: GET /debug/pprof/ = %d; want 404", code)
		}
		if on {
			if code, _ := get("/debug/pprof/heap?debug=1"); code != 200 {
				t.Errorf("Pprof on: GET /debug/pprof/heap = %d; want 200", code)
			}
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve = %v", err)
		}
	}
}

package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Server timeouts. ReadHeaderTimeout stops slow-header clients early; ReadTimeout covers a body of
// MaxBodyBytes on a slow line; WriteTimeout is above the default RequestTimeout (30 s) so a slow
// backend ends in a 504 JSON error rather than a cut connection.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 45 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64 << 10
)

// Run listens on o.Addr and serves until ctx ends, then shuts down gracefully within
// o.ShutdownTimeout.
func Run(ctx context.Context, o Options) error {
	addr := o.Addr
	if addr == "" {
		addr = ":8080"
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	if o.AdminAddr == "" || o.Registry != nil {
		return RunListener(ctx, lis, o)
	}
	adminLis, err := net.Listen("tcp", o.AdminAddr)
	if err != nil {
		lis.Close()
		return fmt.Errorf("gateway: admin: %w", err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	o.Registry = reg
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	admin := &http.Server{Handler: mux, ReadHeaderTimeout: readHeaderTimeout}
	go func() { _ = admin.Serve(adminLis) }()
	defer admin.Close()
	return RunListener(ctx, lis, o)
}

// RunListener is Run on a listener the caller opened; it closes it.
func RunListener(ctx context.Context, lis net.Listener, o Options) error {
	o = o.withDefaults()
	h, closeConns, err := Handler(ctx, o)
	if err != nil {
		lis.Close()
		return err
	}
	defer closeConns()

	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      max(writeTimeout, o.RequestTimeout+5*time.Second),
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	o.Logger.InfoContext(ctx, "gateway listening", "addr", lis.Addr().String(), "backends", backendNames(o.Backends))

	select {
	case err := <-served:
		return fmt.Errorf("gateway: %w", err)
	case <-ctx.Done():
	}

	// The requests in flight finish with their own contexts, not the ended ctx.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	if err != nil {
		err = fmt.Errorf("gateway: graceful shutdown: %w", errors.Join(err, srv.Close()))
	}
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	o.Logger.InfoContext(ctx, "gateway stopped")
	return err
}

func backendNames(bs []Backend) []string {
	names := make([]string, len(bs))
	for i, b := range bs {
		names[i] = b.Name
	}
	return names
}

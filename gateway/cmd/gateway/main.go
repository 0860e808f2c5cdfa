// Command gateway serves the REST/JSON API of vif in front of its gRPC services.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/vif71/vif/gateway"
	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/config"
	"github.com/vif71/vif/platform/version"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	if slices.Contains(args, "--version") || slices.Contains(args, "-version") {
		_, err := fmt.Println(version.Line("gateway"))
		return err
	}
	// The container health check needs only the listen address, from the environment as the
	// gateway it checks was given it.
	if slices.Contains(args, "--health-check") || slices.Contains(args, "-health-check") {
		addr := getenv("VIF_HTTP_ADDR")
		if addr == "" {
			addr = ":8080"
		}
		return healthCheck(ctx, addr)
	}
	o, level, err := options(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	o.Logger = slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	return gateway.Run(ctx, o)
}

// options reads the settings from args, each flag falling back on its environment variable.
func options(args []string, getenv func(string) string) (gateway.Options, slog.Level, error) {
	cfg := config.New("gateway", getenv)
	httpAddr := cfg.String("http-addr", "VIF_HTTP_ADDR", ":8080", "HTTP listen address")
	maxBody := cfg.String("max-body-bytes", "VIF_MAX_BODY_BYTES", "1048576", "largest request body accepted, in bytes")
	shutdown := cfg.Duration("shutdown-timeout", "VIF_SHUTDOWN_TIMEOUT", 0, "time left to requests in flight at shutdown (0: 10s)")
	logLevel := cfg.String("log-level", "VIF_LOG_LEVEL", "info", "debug, info, warn or error")
	adminAddr := cfg.String("admin-addr", "VIF_ADMIN_ADDR", ":9091", "admin listen address (/metrics); empty to disable")
	corsOrigins := cfg.String("cors-origins", "VIF_CORS_ORIGINS", "", "web origins whose pages may call the API from a browser, comma-separated; empty: same origin only")
	keyPath := cfg.String("auth-public-key", "VIF_AUTH_PUBLIC_KEY", "",
		"PEM file of the Ed25519 key that verifies bearer tokens (the services' key): names the caller in the audit line of a write the gateway refuses itself")
	issuers := cfg.String("oidc-issuers", "VIF_OIDC_ISSUERS", "", auth.IssuersFlagHelp+" (as the services')")
	cfg.FlagSet.Bool("version", false, "print the module version and commit, and exit")
	cfg.FlagSet.Bool("health-check", false, "ask the gateway on VIF_HTTP_ADDR for /healthz and exit: 0 when every backend serves (a container health check)")
	addrs := map[string]*string{}
	for _, s := range gateway.Services {
		addrs[s.Name] = cfg.String(s.Name+"-addr", "VIF_"+strings.ToUpper(s.Name)+"_ADDR", defaultAddr,
			"gRPC address of the "+s.Name+" service")
	}
	if err := cfg.Parse(args); err != nil {
		return gateway.Options{}, 0, err
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return gateway.Options{}, 0, fmt.Errorf("--log-level=%q: want debug, info, warn or error", *logLevel)
	}
	limit, err := strconv.ParseInt(*maxBody, 10, 64)
	if err != nil || limit <= 0 {
		return gateway.Options{}, 0, fmt.Errorf("--max-body-bytes=%q: want a positive number of bytes", *maxBody)
	}
	verifier, err := auth.NewVerifier(*keyPath, *issuers)
	if err != nil {
		return gateway.Options{}, 0, err
	}
	return gateway.Options{
		Verifier:        &verifier,
		Addr:            *httpAddr,
		Backends:        gateway.Backends(func(name string) string { return *addrs[name] }),
		MaxBodyBytes:    limit,
		ShutdownTimeout: *shutdown,
		AdminAddr:       *adminAddr,
		AllowedOrigins:  strings.Split(*corsOrigins, ","),
	}, level, nil
}

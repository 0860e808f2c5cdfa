package eventbus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// readyTimeout bounds how long StartEmbedded waits for the server to accept clients.
const readyTimeout = 10 * time.Second

// EmbeddedOptions configures an in-process NATS server.
type EmbeddedOptions struct {
	// Host to listen on; empty means 127.0.0.1, since an embedded bus serves its own process
	// unless it is deliberately exposed.
	Host string
	// Port to listen on; -1 picks a free one (read it back from the server's Addr).
	Port int
	// StoreDir is where JetStream keeps its files; events survive a restart only if it does.
	StoreDir string
	// ServerName names the server in logs and cluster views.
	ServerName string
	// Logger receives the server's log; nil keeps it quiet.
	Logger *slog.Logger
	// Users are who may connect, with what permissions (Keyring.Users). There must be at least
	// one: the server refuses anonymous connections.
	Users []*server.NkeyUser
}

// StartEmbedded starts a NATS server with JetStream in this process and waits until it accepts
// clients, only those among o.Users. It installs no signal handlers: the caller owns shutdown and calls Shutdown then
// WaitForShutdown.
func StartEmbedded(o EmbeddedOptions) (*server.Server, error) {
	if o.StoreDir == "" {
		return nil, errors.New("eventbus: embedded server needs a StoreDir")
	}
	if len(o.Users) == 0 {
		return nil, errors.New("eventbus: embedded server needs Users: it accepts no anonymous connection")
	}
	host := o.Host
	if host == "" {
		host = "127.0.0.1"
	}
	opts := &server.Options{
		ServerName: o.ServerName,
		Host:       host,
		Port:       o.Port,
		JetStream:  true,
		StoreDir:   o.StoreDir,
		NoSigs:     true,
		Nkeys:      o.Users,
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("eventbus: embedded server: %w", err)
	}
	if o.Logger != nil {
		s.SetLoggerV2(serverLogger{o.Logger.With("component", "nats-server")}, false, false, false)
	}
	s.Start()
	if !s.ReadyForConnections(readyTimeout) {
		s.Shutdown()
		s.WaitForShutdown()
		return nil, fmt.Errorf("eventbus: embedded server not ready after %s", readyTimeout)
	}
	if !s.JetStreamEnabled() {
		s.Shutdown()
		s.WaitForShutdown()
		return nil, errors.New("eventbus: embedded server started without JetStream")
	}
	return s, nil
}

// serverLogger routes nats-server's printf-style log into slog. Fatal maps to Error: the
// embedding process, not a library, decides whether to exit.
type serverLogger struct{ log *slog.Logger }

func (l serverLogger) logf(level slog.Level, format string, v []any) {
	if l.log.Enabled(context.Background(), level) {
		l.log.Log(context.Background(), level, fmt.Sprintf(format, v...))
	}
}

// Noticef is debug: the embedded server's notices are its start-up banner and configuration (some
// 80 lines), which would bury the product's own lines; its warnings and errors stay.
func (l serverLogger) Noticef(format string, v ...any) { l.logf(slog.LevelDebug, format, v) }
func (l serverLogger) Warnf(format string, v ...any)   { l.logf(slog.LevelWarn, format, v) }
func (l serverLogger) Fatalf(format string, v ...any)  { l.logf(slog.LevelError, format, v) }
func (l serverLogger) Errorf(format string, v ...any)  { l.logf(slog.LevelError, format, v) }
func (l serverLogger) Debugf(format string, v ...any)  { l.logf(slog.LevelDebug, format, v) }
func (l serverLogger) Tracef(format string, v ...any)  { l.logf(slog.LevelDebug-4, format, v) }

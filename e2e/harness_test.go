package e2e

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/eventbus/eventbustest"
	"github.com/vif71/vif/platform/grpcserver"
	"github.com/vif71/vif/platform/grpcserver/grpctest"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
	"github.com/vif71/vif/services/directory"
)

// harness is the directory and the services under test as the embedded default runs them: one
// gRPC server (grpctest's) hosting them all behind the full interceptor chain, over bufconn; the
// services reaching the directory through that same server, as clients; each on its own
// database; every relay publishing to an embedded NATS server with the VIF stream, listening on
// TCP, which a test may stop and start again on the same port and store; the seeds in the
// background.
type harness struct {
	// Server gives the test's own client connection (Conn) and the tokens it accepts (As).
	*grpctest.Server
	directory directoryv1.DirectoryServiceClient
	bus       *eventbustest.Server
	js        jetstream.JetStream
}

// hostEnv is what the harness gives each service it hosts.
type hostEnv struct {
	js jetstream.JetStream
	// directory is the service's own connection to the directory: a client of the server that
	// also hosts it, as in the embedded default.
	directory *grpc.ClientConn
	log       *slog.Logger
	relay     outbox.RelayOptions
}

// hosted is a service the harness serves, with the tasks it runs in the background (its relay,
// its seed).
type hosted struct {
	grpc       grpcserver.Service
	background []func(context.Context) error
}

// host builds one service for the harness to serve next to the directory.
type host func(ctx context.Context, env hostEnv) (hosted, error)

// startHarness starts the bus, the directory on directoryDB with its seed, and the services hosts
// build, and stops them all when t ends: the services before the bus they publish to.
func startHarness(t *testing.T, directoryDB *storage.DB, hosts ...host) *harness {
	t.Helper()
	log := quietLogger(t)

	// eventbustest starts the server through eventbus.StartEmbedded, on a TCP port of its own, and
	// connects through eventbus.Connect, which reconnects forever: the relays ride out an outage.
	bus := eventbustest.Start(t)
	js := bus.JetStream(t)

	// Its cleanup, registered after the bus and its connection, runs before them: the services
	// stop before the server they publish to.
	srv := grpctest.New(t)
	srv.Logger = log
	toDirectory := srv.Dial(t)
	// A short backoff cap, so that after an outage the relays try again within a second.
	relay := outbox.RelayOptions{PollInterval: 50 * time.Millisecond, MaxBackoff: time.Second}
	ctx := t.Context()
	dir, err := directory.New(ctx, directory.Config{DB: directoryDB, JetStream: js, Logger: log, Seed: true, Relay: relay})
	if err != nil {
		t.Fatal(err)
	}
	services := []grpcserver.Service{dir.GRPC}
	background := []func(context.Context) error{dir.Relay.Run}
	for _, h := range hosts {
		svc, err := h(ctx, hostEnv{js: js, directory: toDirectory, log: log, relay: relay})
		if err != nil {
			t.Fatal(err)
		}
		services = append(services, svc.grpc)
		background = append(background, svc.background...)
	}
	for i, f := range background {
		background[i] = func(ctx context.Context) error {
			if err := f(ctx); err != nil && ctx.Err() == nil {
				t.Errorf("background task: %v", err)
			}
			return nil
		}
	}
	srv.Serve(t, services, background...)
	return &harness{
		Server:    srv,
		directory: directoryv1.NewDirectoryServiceClient(srv.Conn),
		bus:       bus,
		js:        js,
	}
}

// as returns a context carrying a bearer token for role, scoped to organisation when it is set.
func (h *harness) as(t *testing.T, role auth.Role, organisation string) context.Context {
	t.Helper()
	return h.As(t, auth.Claims{
		Role: role, Organisation: organisation,
		RegisteredClaims: jwt.RegisteredClaims{Subject: "e2e-" + string(role)},
	})
}

// waitRelayed polls, bounded, until relay, service's outbox relay, holds no unsent event: every
// change the service committed so far is then in the stream.
func waitRelayed(t *testing.T, service string, relay *outbox.Relay) {
	t.Helper()
	var n int
	var err error
	if !grpctest.Within(30*time.Second, 50*time.Millisecond, func() bool {
		n, err = relay.Pending(context.Background())
		return err == nil && n == 0
	}) {
		t.Fatalf("%s outbox still holds %d unsent events after 30 s (%v)", service, n, err)
	}
}

// stream is the VIF stream.
func (h *harness) stream(t *testing.T, ctx context.Context) jetstream.Stream {
	t.Helper()
	stream, err := h.js.Stream(ctx, eventbus.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	return stream
}

// messageCount is how many messages the stream holds on the subjects matching filter.
func (h *harness) messageCount(t *testing.T, filter string) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	info, err := h.stream(t, ctx).Info(ctx, jetstream.WithSubjectFilter(filter))
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	for _, c := range info.State.Subjects {
		n += c
	}
	return n
}

// messages returns every message the stream holds on the subjects matching filter, oldest first.
// It reads exactly as many as the stream reports, so it needs no grace period to know it has them
// all.
func (h *harness) messages(t *testing.T, filter string) []jetstream.Msg {
	t.Helper()
	total := h.messageCount(t, filter)
	if total == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cons, err := h.js.OrderedConsumer(ctx, eventbus.StreamName, jetstream.OrderedConsumerConfig{FilterSubjects: []string{filter}})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]jetstream.Msg, 0, total)
	for uint64(len(out)) < total {
		msg, err := cons.Next(jetstream.FetchContext(ctx))
		if err != nil {
			t.Fatalf("reading %s: %d of %d messages, then %v", filter, len(out), total, err)
		}
		out = append(out, msg)
	}
	return out
}

// lastMessage returns the last message the stream holds on subject, or nil.
func (h *harness) lastMessage(t *testing.T, subject string) *jetstream.RawStreamMsg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msg, err := h.stream(t, ctx).GetLastMsgForSubject(ctx, subject)
	if err != nil {
		return nil
	}
	return msg
}

// quietLogger passes warnings and errors to t's log while t runs (a failing seed says why) and
// drops the rest; it is silent once t has ended, when goroutines may still be stopping.
func quietLogger(t *testing.T) *slog.Logger {
	w := &testLog{t: t}
	t.Cleanup(w.close)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testLog struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *testLog) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testLog) close() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}

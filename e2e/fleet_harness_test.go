package e2e

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/eventbus/eventbustest"
	"github.com/vif71/vif/platform/grpcserver"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
	fleetv1 "github.com/vif71/vif/proto/gen/go/vif/fleet/v1"
	"github.com/vif71/vif/services/directory"
	"github.com/vif71/vif/services/fleet"
)

// seededCessions is how many cessions the fleet's seed records: the article's 17.
const seededCessions = 17

// fleetSuite is the directory and the fleet service as the embedded default runs them: one gRPC
// server hosting both behind the full interceptor chain, over bufconn; the fleet reaching the
// directory through that same server, as a client; each on its own database; both relays
// publishing to an embedded NATS server listening on TCP, which a test may stop and start again
// on the same port and store; the fleet's seed in the background.
type fleetSuite struct {
	fleet     fleetv1.FleetServiceClient
	directory directoryv1.DirectoryServiceClient
	bus       *eventbustest.Server
	js        jetstream.JetStream
	// relay is the fleet's outbox relay: Pending tells when every committed event is published.
	relay *outbox.Relay
	key   ed25519.PrivateKey
}

func startFleetSuite(t *testing.T, directoryDB, fleetDB *storage.DB) *fleetSuite {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := quietLogger(t)

	// eventbustest starts the server through eventbus.StartEmbedded, on a TCP port of its own, and
	// connects through eventbus.Connect, which reconnects forever: the relays ride out an outage.
	bus := eventbustest.Start(t)
	js := bus.JetStream(t)

	lis := bufconn.Listen(1 << 20)
	dial := func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }
	// The fleet's own connection to the directory: a client of the server that also hosts it, as
	// in the embedded default.
	toDirectory, err := grpc.NewClient("passthrough:///bufnet", grpc.WithContextDialer(dial),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	// A short backoff cap, so that after an outage the relay tries again within a second.
	relay := outbox.RelayOptions{PollInterval: 50 * time.Millisecond, MaxBackoff: time.Second}
	dir, err := directory.New(ctx, directory.Config{DB: directoryDB, JetStream: js, Logger: log, Seed: true, Relay: relay})
	if err != nil {
		t.Fatal(err)
	}
	cars, err := fleet.New(ctx, fleet.Config{DB: fleetDB, JetStream: js, Directory: toDirectory, Logger: log, Seed: true, Relay: relay})
	if err != nil {
		t.Fatal(err)
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := grpcserver.New(grpcserver.Options{
		Logger:   log,
		Verifier: auth.Verifier{Key: key.Public().(ed25519.PublicKey)},
		Services: []grpcserver.Service{dir.GRPC, cars.GRPC},
	})
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	run := func(f func(context.Context) error) {
		wg.Go(func() {
			if err := f(ctx); err != nil && ctx.Err() == nil {
				t.Errorf("background task: %v", err)
			}
		})
	}
	run(func(ctx context.Context) error { return srv.Serve(ctx, lis, nil) })
	run(dir.Relay.Run)
	for _, bg := range cars.Background() {
		run(bg)
	}

	conn, err := grpc.NewClient("passthrough:///bufnet", grpc.WithContextDialer(dial),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	// Registered after the bus and its connection, so it runs before them: the services stop
	// before the server they publish to.
	t.Cleanup(func() {
		conn.Close()
		cancel()
		wg.Wait()
		toDirectory.Close()
	})
	return &fleetSuite{
		fleet:     fleetv1.NewFleetServiceClient(conn),
		directory: directoryv1.NewDirectoryServiceClient(conn),
		bus:       bus,
		js:        js,
		relay:     cars.Relay,
		key:       key,
	}
}

// as returns a context carrying a bearer token for role, scoped to organisation when it is set.
func (s *fleetSuite) as(t *testing.T, role auth.Role, organisation string) context.Context {
	t.Helper()
	tok, err := auth.Issuer{Key: s.key}.Issue(auth.Claims{
		Role: role, Organisation: organisation,
		RegisteredClaims: jwt.RegisteredClaims{Subject: "e2e-" + string(role)},
	}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tok)
}

// waitForSeed polls, bounded, until the fleet's seed has written its 17 cessions: it runs in the
// background and waits for the directory to answer.
func (s *fleetSuite) waitForSeed(t *testing.T) {
	t.Helper()
	ctx := s.as(t, auth.RoleReader, "")
	deadline := time.Now().Add(60 * time.Second)
	for {
		declared, err := s.fleet.ListCessions(ctx, &fleetv1.ListCessionsRequest{Filter: `state = "CESSION_STATE_DECLARED"`})
		if err == nil && declared.GetTotalSize() == seededCessions {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("fleet seed not done after 60 s: %d declared cessions (%v); want %d", declared.GetTotalSize(), err, seededCessions)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitPublished polls, bounded, until the fleet's outbox holds no unsent event: every change
// committed so far is then in the stream.
func (s *fleetSuite) waitPublished(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := s.relay.Pending(context.Background())
		if err == nil && n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("fleet outbox still holds %d unsent events after 30 s (%v)", n, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// streamed returns every message the stream holds on the subjects matching filter, oldest first,
// once the fleet's outbox is empty. It reads exactly as many as the stream reports, so it needs
// no grace period to know it has them all.
func (s *fleetSuite) streamed(t *testing.T, filter string) []jetstream.Msg {
	t.Helper()
	s.waitPublished(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stream, err := s.js.Stream(ctx, eventbus.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	info, err := stream.Info(ctx, jetstream.WithSubjectFilter(filter))
	if err != nil {
		t.Fatal(err)
	}
	var total uint64
	for _, n := range info.State.Subjects {
		total += n
	}
	if total == 0 {
		return nil
	}
	cons, err := s.js.OrderedConsumer(ctx, eventbus.StreamName, jetstream.OrderedConsumerConfig{FilterSubjects: []string{filter}})
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

// reasonOf returns the ErrorInfo reason of a status error ("" when it has none).
func reasonOf(err error) string {
	st, _ := status.FromError(err)
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetReason()
		}
	}
	return ""
}

// vin returns a well-formed VIN, unique per n: 17 characters, none of them I, O or Q.
func vin(n int) string { return fmt.Sprintf("VF1E2E%011d", n) }

// plate returns a plate of the current format, unique per n below 1000.
func plate(n int) string { return fmt.Sprintf("EE-%03d-FL", n) }

// isoDay writes d as YYYY-MM-DD.
func isoDay(d *date.Date) string {
	return fmt.Sprintf("%04d-%02d-%02d", d.GetYear(), d.GetMonth(), d.GetDay())
}

// dayOf is t's calendar day.
func dayOf(t time.Time) *date.Date {
	return &date.Date{Year: int32(t.Year()), Month: int32(t.Month()), Day: int32(t.Day())}
}

// retiredVehicle registers vehicle id (in service, first registered in 2016 with a reading of
// 40 000 km on 2018-01-01) and retires it on 2024-01-15, through the API as a fleet manager
// would.
func (s *fleetSuite) retiredVehicle(t *testing.T, ctx context.Context, id string, n int) *fleetv1.Vehicle {
	t.Helper()
	if _, err := s.fleet.RegisterVehicle(ctx, &fleetv1.RegisterVehicleRequest{
		VehicleId: id,
		Vehicle: &fleetv1.Vehicle{
			Vin: vin(n), Plate: plate(n), Make: "Renault", Model: "Clio", FirstRegistrationDate: day(2016, 5, 1),
		},
		InitialReading: &fleetv1.OdometerReading{ReadingDate: day(2018, 1, 1), OdometerKm: 40_000},
	}); err != nil {
		t.Fatalf("RegisterVehicle(%s) = %v; want OK", id, err)
	}
	v, err := s.fleet.RetireVehicle(ctx, &fleetv1.RetireVehicleRequest{Name: "vehicles/" + id, RetireDate: day(2024, 1, 15)})
	if err != nil {
		t.Fatalf("RetireVehicle(%s) = %v; want OK", id, err)
	}
	return v
}

// vehicleState reads a vehicle's state.
func (s *fleetSuite) vehicleState(t *testing.T, name string) fleetv1.VehicleState {
	t.Helper()
	v, err := s.fleet.GetVehicle(s.as(t, auth.RoleReader, ""), &fleetv1.GetVehicleRequest{Name: name})
	if err != nil {
		t.Fatalf("GetVehicle(%s) = %v", name, err)
	}
	return v.GetState()
}

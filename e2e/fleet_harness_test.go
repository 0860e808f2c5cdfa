package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/genproto/googleapis/type/date"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/grpcserver/grpctest"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
	fleetv1 "github.com/vif71/vif/proto/gen/go/vif/fleet/v1"
	"github.com/vif71/vif/services/fleet"
)

// seededCessions is how many cessions the fleet's seed records: the article's 17.
const seededCessions = 17

// fleetSuite is the directory and the fleet service in one harness (see startHarness), the
// fleet's seed in the background.
type fleetSuite struct {
	*harness
	fleet fleetv1.FleetServiceClient
	// relay is the fleet's outbox relay: Pending tells when every committed event is published.
	relay *outbox.Relay
}

func startFleetSuite(t *testing.T, directoryDB, fleetDB *storage.DB) *fleetSuite {
	t.Helper()
	s := &fleetSuite{}
	s.harness = startHarness(t, directoryDB, func(ctx context.Context, env hostEnv) (hosted, error) {
		cars, err := fleet.New(ctx, fleet.Config{DB: fleetDB, JetStream: env.js, Directory: env.directory, Logger: env.log, Seed: true, Relay: env.relay})
		if err != nil {
			return hosted{}, err
		}
		s.relay = cars.Relay
		return hosted{grpc: cars.GRPC, background: cars.Background}, nil
	})
	s.fleet = fleetv1.NewFleetServiceClient(s.Conn)
	return s
}

// waitForSeed polls, bounded, until the fleet's seed has written its 17 cessions: it runs in the
// background and waits for the directory to answer.
func (s *fleetSuite) waitForSeed(t *testing.T) {
	t.Helper()
	ctx := s.as(t, auth.RoleReader, "")
	var declared *fleetv1.ListCessionsResponse
	var err error
	if !grpctest.Within(60*time.Second, 100*time.Millisecond, func() bool {
		declared, err = s.fleet.ListCessions(ctx, &fleetv1.ListCessionsRequest{Filter: `state = "CESSION_STATE_DECLARED"`})
		return err == nil && declared.GetTotalSize() == seededCessions
	}) {
		t.Fatalf("fleet seed not done after 60 s: %d declared cessions (%v); want %d", declared.GetTotalSize(), err, seededCessions)
	}
}

// waitPublished polls, bounded, until the fleet's outbox holds no unsent event: every change
// committed so far is then in the stream.
func (s *fleetSuite) waitPublished(t *testing.T) {
	t.Helper()
	waitRelayed(t, "fleet", s.relay)
}

// streamed returns every message the stream holds on the subjects matching filter, oldest first,
// once the fleet's outbox is empty.
func (s *fleetSuite) streamed(t *testing.T, filter string) []jetstream.Msg {
	t.Helper()
	s.waitPublished(t)
	return s.messages(t, filter)
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

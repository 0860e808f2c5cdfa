package outbox

import (
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/emptypb"
)

// TestEnvelope: a service's event goes out as vif.{service}.v1.{type} from /vif/{service} with its
// resource name, and an event with nothing to publish is refused.
func TestEnvelope(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ev, err := Envelope("fleet", "01J", "vehicle.registered", at, "vehicles/v-1", &emptypb.Empty{})
	if err != nil {
		t.Fatalf("Envelope = %v", err)
	}
	if ev.ID != "01J" || ev.Subject != "vif.fleet.v1.vehicle.registered" || ev.Source != "/vif/fleet" || ev.Resource != "vehicles/v-1" || !ev.Time.Equal(at) || ev.Payload == nil {
		t.Errorf("Envelope = %+v", ev)
	}
	if _, err := Envelope("fleet", "01K", "vehicle.lost", at, "", nil); err == nil {
		t.Error("Envelope(nil payload) = nil error; want one")
	}
}

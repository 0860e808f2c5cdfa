package grpcapi

import (
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/vif71/vif/platform/outbox"
	fleetv1 "github.com/vif71/vif/proto/gen/go/vif/fleet/v1"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

// payloadOf is the message of events.proto that an event publishes and the resource name of what
// changed; nil when the event carries nothing to publish.
func payloadOf(ev *domain.Event) (proto.Message, string) {
	switch {
	case ev.Type == domain.VehicleRegistered:
		v := vehicleToProto(ev.Vehicle)
		return &fleetv1.VehicleRegistered{Vehicle: v}, v.GetName()
	case ev.Vehicle != nil:
		vc := &fleetv1.VehicleChanged{Vehicle: vehicleToProto(ev.Vehicle), PreviousState: vehicleStateToProto(ev.PreviousVehicleState)}
		if len(ev.UpdateMask) > 0 {
			vc.UpdateMask = &fieldmaskpb.FieldMask{Paths: ev.UpdateMask}
		}
		return vc, vc.GetVehicle().GetName()
	case ev.Cession != nil:
		c := cessionToProto(ev.Cession)
		return &fleetv1.CessionChanged{Cession: c, PreviousState: cessionStateToProto(ev.PreviousCessionState)}, c.GetName()
	}
	return nil, ""
}

// EncodeEvent turns a domain event into its outbox record (outbox.Envelope): subject
// vif.fleet.v1.{type}, source /vif/fleet, the resource name of what changed (the CloudEvents
// subject) and the message of events.proto.
func EncodeEvent(ev *domain.Event) (outbox.Event, error) {
	payload, resource := payloadOf(ev)
	return outbox.Envelope("fleet", ev.ID, string(ev.Type), ev.Time, resource, payload)
}

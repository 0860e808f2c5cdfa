package grpcapi

import (
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/vif71/vif/platform/outbox"
	fleetv1 "github.com/vif71/vif/proto/gen/go/vif/fleet/v1"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

// Source is the CloudEvents source of the fleet's events.
const Source = "/vif/fleet"

// SubjectPrefix starts the subject of every fleet event.
const SubjectPrefix = "vif.fleet.v1."

// EncodeEvent turns a domain event into its outbox record: the subject, the resource name of what
// changed (the CloudEvents subject) and the message of events.proto.
func EncodeEvent(ev *domain.Event) (outbox.Event, error) {
	var payload proto.Message
	var resource string
	switch {
	case ev.Type == domain.VehicleRegistered:
		v := vehicleToProto(ev.Vehicle)
		payload, resource = &fleetv1.VehicleRegistered{Vehicle: v}, v.GetName()
	case ev.Vehicle != nil:
		vc := &fleetv1.VehicleChanged{Vehicle: vehicleToProto(ev.Vehicle), PreviousState: vehicleStateToProto(ev.PreviousVehicleState)}
		if len(ev.UpdateMask) > 0 {
			vc.UpdateMask = &fieldmaskpb.FieldMask{Paths: ev.UpdateMask}
		}
		payload, resource = vc, vc.GetVehicle().GetName()
	case ev.Cession != nil:
		c := cessionToProto(ev.Cession)
		payload, resource = &fleetv1.CessionChanged{Cession: c, PreviousState: cessionStateToProto(ev.PreviousCessionState)}, c.GetName()
	default:
		return outbox.Event{}, fmt.Errorf("event %q has nothing to publish", ev.Type)
	}
	return outbox.Event{ID: ev.ID, Subject: SubjectPrefix + string(ev.Type), Source: Source, Resource: resource, Time: ev.Time, Payload: payload}, nil
}

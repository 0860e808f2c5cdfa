package outbox

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"
)

// Envelope is the outbox record of one of service's events: the subject
// vif.{service}.v1.{eventType}, the CloudEvents source /vif/{service}, the resource name of what
// changed (the CloudEvents subject) and payload, the message of the service's events.proto. An
// event with no payload has nothing to publish: that is an error.
func Envelope(service, id, eventType string, at time.Time, resource string, payload proto.Message) (Event, error) {
	if payload == nil {
		return Event{}, fmt.Errorf("event %q has nothing to publish", eventType)
	}
	return Event{
		ID: id, Subject: "vif." + service + ".v1." + eventType, Source: "/vif/" + service,
		Resource: resource, Time: at, Payload: payload,
	}, nil
}

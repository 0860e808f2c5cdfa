package grpcapi

import (
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/vif71/vif/platform/outbox"
	statisticsv1 "github.com/vif71/vif/proto/gen/go/vif/statistics/v1"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// Source is the CloudEvents source of the statistics service's events.
const Source = "/vif/statistics"

// SubjectPrefix starts the subject of every statistics event.
const SubjectPrefix = "vif.statistics.v1."

// EncodeEvent turns a domain event into its outbox record: the subject and the message of
// events.proto, with the resource name of what changed (the CloudEvents subject). A report's event
// names the report and its revision, never its counts.
func EncodeEvent(ev *domain.Event) (outbox.Event, error) {
	var payload proto.Message
	var resource string
	switch {
	case ev.Report != nil:
		r := ev.Report
		resource = r.Name()
		payload = &statisticsv1.ReportSubmitted{
			Report: r.Name(), Network: "networks/" + r.Network, Period: r.Period.String(),
			Revision: r.Revision, SubmitTime: timestamppb.New(r.SubmitTime),
		}
	case ev.NationalFigure != nil:
		nf := nationalToProto(ev.NationalFigure)
		payload, resource = &statisticsv1.NationalFigureCreated{NationalFigure: nf}, nf.GetName()
	default:
		return outbox.Event{}, fmt.Errorf("event %q has nothing to publish", ev.Type)
	}
	return outbox.Event{ID: ev.ID, Subject: SubjectPrefix + string(ev.Type), Source: Source, Resource: resource, Time: ev.Time, Payload: payload}, nil
}

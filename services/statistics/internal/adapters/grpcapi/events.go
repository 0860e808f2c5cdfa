package grpcapi

import (
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/vif71/vif/platform/outbox"
	statisticsv1 "github.com/vif71/vif/proto/gen/go/vif/statistics/v1"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// payloadOf is the message of events.proto that an event publishes and the resource name of what
// changed; nil when the event carries nothing to publish. A report's event names the report and
// its revision, never its counts.
func payloadOf(ev *domain.Event) (proto.Message, string) {
	if r := ev.Report; r != nil {
		return &statisticsv1.ReportSubmitted{
			Report: r.Name(), Network: "networks/" + r.Network, Period: r.Period.String(),
			Revision: r.Revision, SubmitTime: timestamppb.New(r.SubmitTime),
		}, r.Name()
	}
	if ev.Release != nil {
		r := releaseToProto(ev.Release)
		return &statisticsv1.ReleasePublished{Release: r}, r.GetName()
	}
	if ev.NationalFigure != nil {
		nf := nationalToProto(ev.NationalFigure)
		return &statisticsv1.NationalFigureCreated{NationalFigure: nf}, nf.GetName()
	}
	return nil, ""
}

// EncodeEvent turns a domain event into its outbox record (outbox.Envelope): subject
// vif.statistics.v1.{type}, source /vif/statistics, the resource name of what changed (the
// CloudEvents subject) and the message of events.proto.
func EncodeEvent(ev *domain.Event) (outbox.Event, error) {
	payload, resource := payloadOf(ev)
	return outbox.Envelope("statistics", ev.ID, string(ev.Type), ev.Time, resource, payload)
}

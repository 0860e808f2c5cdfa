package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/grpcserver/grpctest"
	"github.com/vif71/vif/platform/storage/storagetest"
	fleetv1 "github.com/vif71/vif/proto/gen/go/vif/fleet/v1"
)

const fleetSubjects = "vif.fleet.v1.>"

// fleetEvent is one fleet event read from the stream: its headers checked, its payload decoded.
type fleetEvent struct {
	id      string
	change  string // the subject without "vif.fleet.v1."
	name    string // the vehicle or cession it is about
	payload proto.Message
}

// decodeFleetEvent checks the CloudEvents headers of msg and decodes its payload into the message
// events.proto gives its subject.
func decodeFleetEvent(t *testing.T, msg jetstream.Msg) fleetEvent {
	t.Helper()
	h := msg.Headers()
	ev := fleetEvent{id: h.Get(eventbus.HeaderID), change: strings.TrimPrefix(msg.Subject(), "vif.fleet.v1.")}
	switch {
	case ev.change == "vehicle.registered":
		p := &fleetv1.VehicleRegistered{}
		ev.payload = p
		if err := proto.Unmarshal(msg.Data(), p); err == nil {
			ev.name = p.GetVehicle().GetName()
		}
	case strings.HasPrefix(ev.change, "vehicle."):
		p := &fleetv1.VehicleChanged{}
		ev.payload = p
		if err := proto.Unmarshal(msg.Data(), p); err == nil {
			ev.name = p.GetVehicle().GetName()
		}
	case strings.HasPrefix(ev.change, "cession."):
		p := &fleetv1.CessionChanged{}
		ev.payload = p
		if err := proto.Unmarshal(msg.Data(), p); err == nil {
			ev.name = p.GetCession().GetName()
		}
	default:
		t.Errorf("event on an unexpected subject %s", msg.Subject())
		return ev
	}
	if ev.name == "" {
		t.Errorf("%s: payload does not decode as %T naming its resource", msg.Subject(), ev.payload)
	}
	schema := eventbus.DataSchema(ev.payload.ProtoReflect().Descriptor().FullName())
	_, timeErr := time.Parse(time.RFC3339Nano, h.Get(eventbus.HeaderTime))
	if ev.id == "" || h.Get(jetstream.MsgIDHeader) != ev.id || h.Get(eventbus.HeaderType) != msg.Subject() ||
		h.Get(eventbus.HeaderSource) != "/vif/fleet" || h.Get(eventbus.HeaderSpecVersion) != "1.0" ||
		h.Get(eventbus.HeaderDataSchema) != schema || h.Get(eventbus.HeaderDataContentType) != eventbus.ContentTypeProtobuf || timeErr != nil ||
		h.Get(eventbus.HeaderSubject) != ev.name {
		t.Errorf("%s headers = %v; want ce-id = Nats-Msg-Id, ce-type = the subject, ce-source /vif/fleet, ce-specversion 1.0, ce-dataschema %s, ce-datacontenttype %s, ce-subject %s, a ce-time",
			msg.Subject(), h, schema, eventbus.ContentTypeProtobuf, ev.name)
	}
	return ev
}

// outboxIDs returns the ids of every event the fleet committed, in outbox order.
func (r *fleetRun) outboxIDs(t *testing.T) []string {
	t.Helper()
	rows, err := r.db.QueryContext(context.Background(), `SELECT id FROM outbox ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// sameSet reports whether got and want hold the same strings, ignoring order.
func sameSet(got, want []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want)))
}

// testFleetEvents reads back, from JetStream, the event of every change the earlier steps made,
// as a subscriber would: on its subject, with the CloudEvents headers, and a payload that decodes
// to the message events.proto names for it; the refused requests published nothing, and the
// stream holds every event of the outbox exactly once.
func testFleetEvents(t *testing.T, r *fleetRun) {
	type key struct{ change, name string }
	seen := map[key]int{}
	last := map[key]proto.Message{}
	ids := map[string]int{}
	var streamed, clioCessionChanges []string
	for _, msg := range r.streamed(t, fleetSubjects) {
		ev := decodeFleetEvent(t, msg)
		ids[ev.id]++
		streamed = append(streamed, ev.id)
		k := key{ev.change, ev.name}
		seen[k]++
		last[k] = ev.payload
		if ev.name == clioCession {
			clioCessionChanges = append(clioCessionChanges, ev.change)
		}
	}
	retriedCession := r.cessionNames(t, r.as(t, auth.RoleReader, ""), &fleetv1.ListCessionsRequest{Filter: `vehicle = "` + retried + `"`})
	if len(retriedCession) != 1 {
		t.Fatalf("cessions of %s = %q; want one", retried, retriedCession)
	}
	for _, w := range []struct {
		key
		times int
	}{
		{key{"vehicle.registered", clio}, 1},
		{key{"vehicle.updated", clio}, 1},
		{key{"vehicle.odometer_recorded", clio}, 1},
		{key{"vehicle.retired", clio}, 1},
		{key{"vehicle.reserved", clio}, 1},
		{key{"vehicle.ceded", clio}, 1},
		{key{"cession.proposed", clioCession}, 1},
		{key{"cession.approved", clioCession}, 1},
		{key{"cession.handed_over", clioCession}, 1},
		{key{"cession.declared", clioCession}, 1},
		{key{"cession.rejected", kangooRejected}, 1},
		{key{"cession.cancelled", kangooCancelled}, 1},
		{key{"vehicle.released", kangoo}, 2}, // once per ended cession
		{key{"vehicle.scrapped", inService}, 1},
		{key{"vehicle.odometer_recorded", partner}, 1}, // the reading while reserved; the refused ones none
		{key{"cession.handed_over", partnerCession}, 1},
		{key{"vehicle.registered", "vehicles/e2e-by-admin"}, 1},
		// Requests sent twice with one request id: one event each.
		{key{"vehicle.registered", retried}, 1},
		{key{"cession.proposed", retriedCession[0]}, 1},
		// Refused requests: nothing.
		{key{"vehicle.registered", "vehicles/e2e-refused"}, 0},
		{key{"cession.proposed", "cessions/e2e-refused"}, 0},
		{key{"cession.proposed", "cessions/e2e-berlingo-other"}, 0},
		{key{"cession.proposed", "cessions/e2e-in-service-plie"}, 0},
		{key{"cession.approved", retriedCession[0]}, 0},
		{key{"cession.declared", berlingoCession}, 0},
	} {
		if seen[w.key] != w.times {
			t.Errorf("%s about %s: published %d times; want %d", w.change, w.name, seen[w.key], w.times)
		}
	}
	if want := []string{"cession.proposed", "cession.approved", "cession.handed_over", "cession.declared"}; !slices.Equal(clioCessionChanges, want) {
		t.Errorf("events of %s in stream order = %q; want %q", clioCession, clioCessionChanges, want)
	}

	cessionEvent := func(change, name string) *fleetv1.CessionChanged {
		e, _ := last[key{change, name}].(*fleetv1.CessionChanged)
		return e
	}
	vehicleEvent := func(change, name string) *fleetv1.VehicleChanged {
		e, _ := last[key{change, name}].(*fleetv1.VehicleChanged)
		return e
	}
	for _, w := range []struct {
		change, name    string
		state, previous fleetv1.CessionState
	}{
		{"cession.proposed", clioCession, fleetv1.CessionState_CESSION_STATE_PROPOSED, fleetv1.CessionState_CESSION_STATE_UNSPECIFIED},
		{"cession.approved", clioCession, fleetv1.CessionState_CESSION_STATE_APPROVED, fleetv1.CessionState_CESSION_STATE_PROPOSED},
		{"cession.handed_over", clioCession, fleetv1.CessionState_CESSION_STATE_HANDED_OVER, fleetv1.CessionState_CESSION_STATE_APPROVED},
		{"cession.declared", clioCession, fleetv1.CessionState_CESSION_STATE_DECLARED, fleetv1.CessionState_CESSION_STATE_HANDED_OVER},
		{"cession.rejected", kangooRejected, fleetv1.CessionState_CESSION_STATE_REJECTED, fleetv1.CessionState_CESSION_STATE_PROPOSED},
		{"cession.cancelled", kangooCancelled, fleetv1.CessionState_CESSION_STATE_CANCELLED, fleetv1.CessionState_CESSION_STATE_APPROVED},
	} {
		if e := cessionEvent(w.change, w.name); e.GetCession().GetState() != w.state || e.GetPreviousState() != w.previous {
			t.Errorf("%s about %s = %v; want state %v after %v", w.change, w.name, e, w.state, w.previous)
		}
	}
	for _, w := range []struct {
		change, name    string
		state, previous fleetv1.VehicleState
	}{
		{"vehicle.retired", clio, fleetv1.VehicleState_VEHICLE_STATE_RETIRED, fleetv1.VehicleState_VEHICLE_STATE_IN_SERVICE},
		{"vehicle.reserved", clio, fleetv1.VehicleState_VEHICLE_STATE_RESERVED, fleetv1.VehicleState_VEHICLE_STATE_RETIRED},
		{"vehicle.ceded", clio, fleetv1.VehicleState_VEHICLE_STATE_CEDED, fleetv1.VehicleState_VEHICLE_STATE_RESERVED},
		{"vehicle.released", kangoo, fleetv1.VehicleState_VEHICLE_STATE_RETIRED, fleetv1.VehicleState_VEHICLE_STATE_RESERVED},
		{"vehicle.scrapped", inService, fleetv1.VehicleState_VEHICLE_STATE_SCRAPPED, fleetv1.VehicleState_VEHICLE_STATE_IN_SERVICE},
	} {
		if e := vehicleEvent(w.change, w.name); e.GetVehicle().GetState() != w.state || e.GetPreviousState() != w.previous {
			t.Errorf("%s about %s = %v; want state %v after %v", w.change, w.name, e, w.state, w.previous)
		}
	}
	if e := cessionEvent("cession.handed_over", clioCession); !proto.Equal(e.GetCession().GetHandover(), clioHandover()) ||
		isoDay(e.GetCession().GetDeclarationDeadline()) != "2025-03-07" {
		t.Errorf("cession.handed_over about %s = %v; want the handover as sent, due 2025-03-07", clioCession, e)
	}
	if e := cessionEvent("cession.rejected", kangooRejected); e.GetCession().GetEndReason() == "" || e.GetCession().GetEndDate() == nil {
		t.Errorf("cession.rejected about %s = %v; want its end date and reason", kangooRejected, e)
	}
	if e := vehicleEvent("vehicle.ceded", clio); e.GetVehicle().GetOdometerKm() != 61_250 {
		t.Errorf("vehicle.ceded about %s carries %d km; want the handover's 61250", clio, e.GetVehicle().GetOdometerKm())
	}
	if e := vehicleEvent("vehicle.updated", clio); !slices.Equal(e.GetUpdateMask().GetPaths(), []string{"model"}) {
		t.Errorf("vehicle.updated about %s has mask %v; want [model]", clio, e.GetUpdateMask().GetPaths())
	}

	for id, n := range ids {
		if n != 1 {
			t.Errorf("event %s is in the stream %d times; want once", id, n)
		}
	}
	if outbox := r.outboxIDs(t); !sameSet(streamed, outbox) {
		t.Errorf("the stream holds %d fleet events; want the %d of the outbox, each once", len(streamed), len(outbox))
	}
}

// makeCessions runs workers goroutines that each register a retired vehicle, propose it and
// approve the cession, each times over, through the API as fleet; it returns when all are done,
// with the names of the cessions made. It only reports errors, so it may run on any goroutine.
func (r *fleetRun) makeCessions(t *testing.T, fleet context.Context, next *atomic.Int32, workers, each int) []string {
	beneficiaries := []string{"iscg-louhannais", "garage-solidaire-bourgogne", "mission-locale-gueugnon"}
	var mu sync.Mutex
	var made []string
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				n := int(next.Add(1))
				id := fmt.Sprintf("outage-%d", n)
				if _, err := r.fleet.RegisterVehicle(fleet, &fleetv1.RegisterVehicleRequest{VehicleId: id, InitialState: fleetv1.VehicleState_VEHICLE_STATE_RETIRED,
					Vehicle: &fleetv1.Vehicle{Vin: vin(n), Plate: plate(n), Make: "Renault", Model: "Kangoo", FirstRegistrationDate: day(2017, 1, 1)}}); err != nil {
					t.Errorf("RegisterVehicle(%s) = %v; want OK whatever NATS does", id, err)
					return
				}
				c, err := r.fleet.ProposeCession(fleet, &fleetv1.ProposeCessionRequest{CessionId: id, ProposeDate: day(2026, 1, 5),
					Cession: &fleetv1.Cession{Vehicle: "vehicles/" + id, Beneficiary: "organisations/" + beneficiaries[n%len(beneficiaries)]}})
				if err != nil {
					t.Errorf("ProposeCession(%s) = %v; want OK whatever NATS does", id, err)
					return
				}
				if _, err := r.fleet.ApproveCession(fleet, &fleetv1.ApproveCessionRequest{Name: c.GetName(), ApproveDate: day(2026, 1, 6), Etag: c.GetEtag()}); err != nil {
					t.Errorf("ApproveCession(%s) = %v; want OK whatever NATS does", id, err)
					return
				}
				mu.Lock()
				made = append(made, c.GetName())
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return made
}

// makeCessionsWhile runs makeCessions in the background while do runs, and returns what it made.
func (r *fleetRun) makeCessionsWhile(t *testing.T, fleet context.Context, next *atomic.Int32, workers, each int, do func()) []string {
	made := make(chan []string, 1)
	go func() { made <- r.makeCessions(t, fleet, next, workers, each) }()
	do()
	return <-made
}

// TestFleetEventsExactlyOnceThroughNATSOutage stops the embedded NATS server while fleet managers
// are making cessions, keeps making them while it is down, and starts it again while more are
// being made. A durable consumer created before the outage then receives every event the fleet
// committed exactly once: one delivery per event id, no redelivery, nothing left pending, and
// the ids are those of the outbox.
func TestFleetEventsExactlyOnceThroughNATSOutage(t *testing.T) {
	directoryDBs := storagetest.Databases(t)
	for i, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			r := &fleetRun{fleetSuite: startFleetSuite(t, directoryDBs[i].DB, d.DB), db: d.DB}
			r.waitForSeed(t)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cons, err := r.js.CreateOrUpdateConsumer(ctx, eventbus.StreamName, jetstream.ConsumerConfig{
				Durable: "e2e-outage", FilterSubject: fleetSubjects, DeliverPolicy: jetstream.DeliverAllPolicy,
				// A long ack wait: a redelivery would then only come from a lost ack, never from a
				// slow test.
				AckPolicy: jetstream.AckExplicitPolicy, AckWait: 5 * time.Minute,
			})
			if err != nil {
				t.Fatal(err)
			}

			var next atomic.Int32
			next.Store(100)
			fleet := r.as(t, auth.RoleFleet, "")
			made := r.makeCessions(t, fleet, &next, 3, 2)
			// The server stops while three managers are making cessions.
			during := r.makeCessionsWhile(t, fleet, &next, 3, 3, r.bus.Stop)
			// One more once the server is surely down, so that the relay has something to fail on.
			during = append(during, r.makeCessions(t, fleet, &next, 1, 1)...)
			if n, err := r.relay.Pending(ctx); err != nil || n == 0 {
				t.Fatalf("Pending with NATS down = %d, %v; want the events of the cessions made meanwhile", n, err)
			}
			grpctest.Eventually(t, 60*time.Second, func() bool {
				var failed int
				err := r.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE last_error IS NOT NULL AND sent_at IS NULL`).Scan(&failed)
				return err == nil && failed > 0
			}, "still waiting for a failed publish recorded in the outbox")
			// And starts again, on the same port and store, while they make more.
			after := r.makeCessionsWhile(t, fleet, &next, 3, 2, r.bus.Restart)
			made = slices.Concat(made, during, after)
			if len(made) != 3*2+3*3+1+3*2 {
				t.Fatalf("made %d cessions; want %d", len(made), 3*2+3*3+1+3*2)
			}
			r.waitPublished(t)

			want := r.outboxIDs(t)
			delivered := map[string]int{}
			var events []fleetEvent
			for len(events) < len(want) {
				msg, err := cons.Next(jetstream.FetchContext(ctx))
				if err != nil {
					t.Fatalf("durable consumer: %d of %d events, then %v", len(events), len(want), err)
				}
				ev := decodeFleetEvent(t, msg)
				delivered[ev.id]++
				events = append(events, ev)
				if err := msg.DoubleAck(ctx); err != nil {
					t.Fatalf("ack %s: %v", ev.id, err)
				}
			}
			info, err := cons.Info(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if info.NumPending != 0 || info.NumAckPending != 0 || info.NumRedelivered != 0 {
				t.Errorf("consumer after %d events: %d pending, %d unacknowledged, %d redelivered; want 0, 0, 0",
					len(events), info.NumPending, info.NumAckPending, info.NumRedelivered)
			}
			for _, id := range want {
				if delivered[id] != 1 {
					t.Errorf("event %s delivered %d times; want once", id, delivered[id])
				}
			}
			if len(delivered) != len(want) {
				t.Errorf("delivered %d distinct events; want the outbox's %d", len(delivered), len(want))
			}
			if n := r.streamCount(t, fleetSubjects); n != uint64(len(want)) {
				t.Errorf("the stream holds %d fleet events; want the outbox's %d", n, len(want))
			}

			// Each cession made, before, during or after the outage, has its events once.
			per := map[string]int{}
			for _, ev := range events {
				per[ev.change+" "+ev.name]++
			}
			for _, c := range made {
				vehicle := "vehicles/" + strings.TrimPrefix(c, "cessions/")
				for _, k := range []string{"vehicle.registered " + vehicle, "vehicle.reserved " + vehicle, "cession.proposed " + c, "cession.approved " + c} {
					if per[k] != 1 {
						t.Errorf("%s delivered %d times; want once", k, per[k])
					}
				}
			}
			approved := r.cessionNames(t, r.as(t, auth.RoleReader, ""), &fleetv1.ListCessionsRequest{Filter: `state = "CESSION_STATE_APPROVED"`})
			if !sameSet(approved, made) {
				t.Errorf("approved cessions = %q; want the %d made", approved, len(made))
			}
		})
	}
}

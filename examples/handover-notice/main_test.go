package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/proto"

	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/eventbus/eventbustest"
	"github.com/vif71/vif/platform/outbox"
	fleetv1 "github.com/vif71/vif/proto/gen/go/vif/fleet/v1"
)

// waitTimeout bounds every wait in these tests; a healthy run needs a fraction of it.
const waitTimeout = 20 * time.Second

// handedOver is the event of cession id handed over at the Préfecture.
func handedOver(id string) *fleetv1.CessionChanged {
	return &fleetv1.CessionChanged{
		PreviousState: fleetv1.CessionState_CESSION_STATE_APPROVED,
		Cession: &fleetv1.Cession{
			Name:            "cessions/" + id,
			Vehicle:         "vehicles/caf71-2019-01",
			Beneficiary:     "organisations/iscg-louhannais",
			BeneficiaryKind: "ISCG",
			State:           fleetv1.CessionState_CESSION_STATE_HANDED_OVER,
			Handover: &fleetv1.Handover{
				HandoverDate: &date.Date{Year: 2025, Month: 3, Day: 12},
				Place:        "Préfecture de Saône-et-Loire, Mâcon",
				Officials: []*fleetv1.Official{
					{DisplayName: "Louise Thin-Rouzaud", Title: "directrice de cabinet du Préfet"},
					{DisplayName: "Marc Dupré", Title: "directeur de la Caf de Saône-et-Loire"},
				},
				OdometerKm:           84250,
				CertificateReference: "CC-2025-0042",
			},
			DeclarationDeadline: &date.Date{Year: 2025, Month: 3, Day: 27},
		},
	}
}

// publish sends payload on subj with the headers the outbox relay sets, and returns the event id.
func publish(t *testing.T, js jetstream.JetStream, subj string, payload proto.Message) string {
	t.Helper()
	return publishID(t, js, subj, payload, outbox.NewID())
}

// publishID publishes payload as the event id, as a relay publishing it again would.
func publishID(t *testing.T, js jetstream.JetStream, subj string, payload proto.Message, id string) string {
	t.Helper()
	data, err := proto.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	msg := nats.NewMsg(subj)
	msg.Data = data
	msg.Header.Set(jetstream.MsgIDHeader, id)
	msg.Header.Set(eventbus.HeaderSpecVersion, eventbus.SpecVersion)
	msg.Header.Set(eventbus.HeaderType, subj)
	msg.Header.Set(eventbus.HeaderSource, "/vif/fleet")
	msg.Header.Set(eventbus.HeaderID, id)
	msg.Header.Set(eventbus.HeaderTime, "2025-03-12T10:15:00Z")
	msg.Header.Set(eventbus.HeaderDataSchema, eventbus.DataSchema(payload.ProtoReflect().Descriptor().FullName()))
	msg.Header.Set(eventbus.HeaderDataContentType, eventbus.ContentTypeProtobuf)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := js.PublishMsg(ctx, msg, jetstream.WithExpectStream(eventbus.StreamName)); err != nil {
		t.Fatalf("publish on %s: %v", subj, err)
	}
	return id
}

// start runs the program until the test ends and checks it then returns nil.
func start(t *testing.T, args ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, args, newTestLog(t)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-errc:
			if err != nil {
				t.Errorf("run(%q) after cancel = %v; want nil", args, err)
			}
		case <-time.After(waitTimeout):
			t.Errorf("run(%q) still running %v after cancel", args, waitTimeout)
		}
	})
}

// consumerInfo returns the state of the program's consumer, or nil before it exists.
func consumerInfo(js jetstream.JetStream) *jetstream.ConsumerInfo {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	c, err := js.Consumer(ctx, eventbus.StreamName, durable)
	if err != nil {
		return nil
	}
	info, err := c.Info(ctx)
	if err != nil {
		return nil
	}
	return info
}

// waitSettled waits until every message on the subject was delivered and acknowledged.
func waitSettled(t *testing.T, js jetstream.JetStream, deliveredStream uint64) {
	t.Helper()
	poll(t, "no pending and no unacknowledged message", func() bool {
		info := consumerInfo(js)
		return info != nil && info.NumPending == 0 && info.NumAckPending == 0 && info.Delivered.Stream >= deliveredStream
	})
}

func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting %v for %s", waitTimeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func TestNoticeIsWrittenThenAcknowledged(t *testing.T) {
	bus := eventbustest.Start(t)
	js := bus.JetStream(t)
	out := filepath.Join(t.TempDir(), "notices")
	// Published before the program first starts: the durable consumer begins with the stream.
	eventID := publish(t, js, subject, handedOver("2025-iscg-louhannais"))

	start(t, "--nats-url", bus.URL, "--nats-creds", bus.Creds(eventbus.Reader), "--out", out)
	path := filepath.Join(out, "2025-iscg-louhannais.txt")
	poll(t, path, func() bool { return exists(path) })
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{
		"Cession : cessions/2025-iscg-louhannais",
		"Véhicule : vehicles/caf71-2019-01",
		"Organisation bénéficiaire : organisations/iscg-louhannais (ISCG)",
		"Date de la remise : 12 mars 2025",
		"Lieu de la remise : Préfecture de Saône-et-Loire, Mâcon",
		"Kilométrage au compteur : 84 250 km",
		"  - Louise Thin-Rouzaud, directrice de cabinet du Préfet",
		"  - Marc Dupré, directeur de la Caf de Saône-et-Loire",
		"Certificat de cession (cerfa n° 15776) : CC-2025-0042",
		"au plus tard le 27 mars 2025",
		eventID,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("notice %s lacks %q:\n%s", path, want, text)
		}
	}
	waitSettled(t, js, 1)

	// A declaration is another subject: the consumer never receives it. The handover published
	// after it is handled, so by then the declaration would have been too.
	declared := handedOver("2025-declaree")
	declared.Cession.State = fleetv1.CessionState_CESSION_STATE_DECLARED
	publish(t, js, "vif.fleet.v1.cession.declared", declared)
	publish(t, js, subject, handedOver("2025-iscg-bresse"))
	poll(t, "the second notice", func() bool { return exists(filepath.Join(out, "2025-iscg-bresse.txt")) })
	waitSettled(t, js, 3)
	if exists(filepath.Join(out, "2025-declaree.txt")) {
		t.Error("a notice was written for a declared cession; want only handed-over ones")
	}

	// The same handover again, as a new event: the notice is left as it is.
	const edited = "annotated by the Préfecture\n"
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	publish(t, js, subject, handedOver("2025-iscg-louhannais"))
	waitSettled(t, js, 4)
	if data, _ := os.ReadFile(path); string(data) != edited {
		t.Errorf("second event of the same handover rewrote %s:\n%s", path, data)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := "2025-iscg-bresse.txt 2025-iscg-louhannais.txt"; strings.Join(names, " ") != want {
		t.Errorf("%s holds %q; want %s and no temporary file", out, names, want)
	}
}

func TestNoticeIsRetriedUntilTheDirectoryIsFixed(t *testing.T) {
	bus := eventbustest.Start(t)
	js := bus.JetStream(t)
	out := filepath.Join(t.TempDir(), "notices")
	// A file where the directory should be: nothing can be written under it, even as root.
	if err := os.WriteFile(out, []byte("in the way"), 0o644); err != nil {
		t.Fatal(err)
	}

	start(t, "--nats-url", bus.URL, "--nats-creds", bus.Creds(eventbus.Reader), "--out", out, "--retry-delay", "50ms")
	publish(t, js, subject, handedOver("2025-iscg-louhannais"))
	poll(t, "the message to be delivered again, unacknowledged", func() bool {
		info := consumerInfo(js)
		return info != nil && info.Delivered.Stream == 1 && info.Delivered.Consumer >= 2 && info.NumAckPending == 1
	})

	if err := os.Remove(out); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(out, "2025-iscg-louhannais.txt")
	poll(t, path+" once the directory can be made", func() bool { return exists(path) })
	waitSettled(t, js, 1)
	if data, _ := os.ReadFile(path); !strings.Contains(string(data), "CC-2025-0042") {
		t.Errorf("notice %s lacks the certificate reference:\n%s", path, data)
	}
}

func TestHandle(t *testing.T) {
	good, err := proto.Marshal(handedOver("2025-iscg-louhannais"))
	if err != nil {
		t.Fatal(err)
	}
	noHandover := handedOver("2025-sans-remise")
	noHandover.Cession.Handover = nil
	traversal := handedOver("x")
	traversal.Cession.Name = "cessions/../../etc/passwd"
	marshal := func(m proto.Message) []byte {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	headers := func(schema string) nats.Header {
		h := nats.Header{}
		h.Set(headerID, "01JQ0000000000000000000000")
		h.Set(headerDataSchema, schema)
		return h
	}
	blocked := filepath.Join(t.TempDir(), "blocked")
	if err := os.WriteFile(blocked, nil, 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		dir     string // "" means a fresh directory
		subject string
		header  nats.Header
		data    []byte
		want    outcome
		file    bool
	}{
		{"handover", "", subject, headers("https://type.googleapis.com/" + schema), good, done, true},
		{"handover, bare message name", "", subject, headers(schema), good, done, true},
		{"no schema header", "", subject, nats.Header{}, good, done, true},
		{"another subject", "", "vif.fleet.v1.cession.declared", headers(schema), good, done, false},
		{"another schema", "", subject, headers("https://type.googleapis.com/vif.fleet.v1.VehicleChanged"), good, reject, false},
		{"garbage", "", subject, headers(schema), []byte{0xff, 0xff}, reject, false},
		{"no handover", "", subject, headers(schema), marshal(noHandover), reject, false},
		{"name outside cessions/{id}", "", subject, headers(schema), marshal(traversal), reject, false},
		{"directory cannot be made", filepath.Join(blocked, "notices"), subject, headers(schema), good, retry, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.dir
			if dir == "" {
				dir = t.TempDir()
			}
			path, got, err := handle(dir, tt.subject, tt.header, tt.data)
			if got != tt.want {
				t.Fatalf("handle(%s) = %v (%v); want %v", tt.name, got, err, tt.want)
			}
			if tt.want == done && tt.file != exists(path) {
				t.Errorf("handle(%s): notice %q exists = %v; want %v", tt.name, path, exists(path), tt.file)
			}
			if !tt.file && tt.want != retry {
				if entries, _ := os.ReadDir(dir); len(entries) != 0 {
					t.Errorf("handle(%s) left %d files in %s; want none", tt.name, len(entries), dir)
				}
			}
		})
	}
}

func TestHandleTwiceLeavesTheNoticeAlone(t *testing.T) {
	dir := t.TempDir()
	data, err := proto.Marshal(handedOver("2025-iscg-louhannais"))
	if err != nil {
		t.Fatal(err)
	}
	path, o, err := handle(dir, subject, nats.Header{}, data)
	if o != done || err != nil {
		t.Fatalf("first handle = %v, %v; want done, nil", o, err)
	}
	first, _ := os.ReadFile(path)
	_, o, err = handle(dir, subject, nats.Header{}, data)
	if o != done || !errors.Is(err, errAlreadyWritten) {
		t.Fatalf("second handle = %v, %v; want done, %v", o, err, errAlreadyWritten)
	}
	if again, _ := os.ReadFile(path); string(again) != string(first) {
		t.Errorf("second handle changed %s", path)
	}
}

func TestFrenchDate(t *testing.T) {
	tests := []struct {
		in   *date.Date
		want string
	}{
		{&date.Date{Year: 2025, Month: 3, Day: 12}, "12 mars 2025"},
		{&date.Date{Year: 2025, Month: 8, Day: 1}, "1er août 2025"},
		{&date.Date{Year: 2024, Month: 12, Day: 31}, "31 décembre 2024"},
		{nil, "(date non communiquée)"},
		{&date.Date{Year: 2025, Month: 13, Day: 1}, "(date non communiquée)"},
	}
	for _, tt := range tests {
		if got := frenchDate(tt.in); got != tt.want {
			t.Errorf("frenchDate(%v) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestGroupThousands(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{{7, "7"}, {999, "999"}, {1000, "1 000"}, {84250, "84 250"}, {1234567, "1 234 567"}}
	for _, tt := range tests {
		if got := groupThousands(tt.in); got != tt.want {
			t.Errorf("groupThousands(%d) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestRunNeedsTheStream(t *testing.T) {
	bus := eventbustest.Start(t) // no VIF stream
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	err := run(ctx, []string{"--nats-url", bus.URL, "--nats-creds", bus.Creds(eventbus.Reader), "--out", t.TempDir()}, newTestLog(t))
	if err == nil || !strings.Contains(err.Error(), eventbus.StreamName) {
		t.Fatalf("run without the stream = %v; want an error naming %s", err, eventbus.StreamName)
	}
}

// testLog sends the program's log to the test log while the test runs, and nowhere after.
type testLog struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func newTestLog(t *testing.T) *testLog {
	l := &testLog{t: t}
	t.Cleanup(func() {
		l.mu.Lock()
		l.done = true
		l.mu.Unlock()
	})
	return l
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		l.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

// TestCopyPastTheWindowGivesNoSecondNotice: the Préfecture has collected a notice (the file is
// gone) when a relay restarted after the stream's duplicate window publishes the same event again,
// and the stream stores the copy. The ledger of handled ids keeps the program from writing the
// notice a second time; the copy is acknowledged.
func TestCopyPastTheWindowGivesNoSecondNotice(t *testing.T) {
	bus := eventbustest.Start(t)
	js := bus.JetStream(t)
	const window = 200 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if _, err := eventbus.EnsureStream(ctx, js, eventbus.StreamOptions{Duplicates: window}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "notices")
	start(t, "--nats-url", bus.URL, "--nats-creds", bus.Creds(eventbus.Reader), "--out", out)

	ev := handedOver("2025-iscg-louhannais")
	id := publish(t, js, subject, ev)
	path := filepath.Join(out, "2025-iscg-louhannais.txt")
	waitSettled(t, js, 1)
	if !exists(path) {
		t.Fatalf("no notice %s for the first delivery", path)
	}
	if err := os.Rename(path, filepath.Join(t.TempDir(), "collected.txt")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(window + 100*time.Millisecond)
	publishID(t, js, subject, ev, id)
	waitSettled(t, js, 2) // the copy is in the stream, delivered and acknowledged
	if exists(path) {
		t.Errorf("%s written again for a copy of event %s; want one notice per event", path, id)
	}
}

package eventbus_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/eventbus/eventbustest"
)

func TestEnsureStreamIsIdempotent(t *testing.T) {
	bus := eventbustest.Start(t)
	_, js := bus.Connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	for i := range 2 {
		s, err := eventbus.EnsureStream(ctx, js, eventbus.StreamOptions{})
		if err != nil {
			t.Fatalf("EnsureStream call %d: %v", i+1, err)
		}
		cfg := s.CachedInfo().Config
		if cfg.Name != eventbus.StreamName || !slices.Equal(cfg.Subjects, []string{eventbus.SubjectAll}) {
			t.Errorf("call %d: stream %q on %v; want %q on [%s]", i+1, cfg.Name, cfg.Subjects, eventbus.StreamName, eventbus.SubjectAll)
		}
		if cfg.Storage != jetstream.FileStorage || cfg.Retention != jetstream.LimitsPolicy {
			t.Errorf("call %d: storage %v, retention %v; want file, limits", i+1, cfg.Storage, cfg.Retention)
		}
	}
	names := js.StreamNames(ctx)
	var got []string
	for n := range names.Name() {
		got = append(got, n)
	}
	if err := names.Err(); err != nil {
		t.Fatalf("StreamNames: %v", err)
	}
	if !slices.Equal(got, []string{eventbus.StreamName}) {
		t.Errorf("StreamNames() = %v; want [%s]", got, eventbus.StreamName)
	}
}

func TestStreamConfigDefaults(t *testing.T) {
	tests := []struct {
		name           string
		in             eventbus.StreamOptions
		wantReplicas   int
		wantMaxAge     time.Duration
		wantDuplicates time.Duration
	}{
		{"zero takes defaults", eventbus.StreamOptions{}, 1, 365 * 24 * time.Hour, 2 * time.Minute},
		{"cluster", eventbus.StreamOptions{Replicas: 3}, 3, 365 * 24 * time.Hour, 2 * time.Minute},
		{"explicit", eventbus.StreamOptions{MaxAge: time.Hour, Duplicates: 10 * time.Second}, 1, time.Hour, 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := eventbus.StreamConfig(tt.in)
			if c.Replicas != tt.wantReplicas || c.MaxAge != tt.wantMaxAge || c.Duplicates != tt.wantDuplicates {
				t.Errorf("StreamConfig(%+v) = replicas %d, max age %v, duplicates %v; want %d, %v, %v",
					tt.in, c.Replicas, c.MaxAge, c.Duplicates, tt.wantReplicas, tt.wantMaxAge, tt.wantDuplicates)
			}
		})
	}
}

func TestSameMsgIDIsStoredOnce(t *testing.T) {
	bus := eventbustest.Start(t)
	js := bus.JetStream(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	const id = "01JDV1F0AAAAAAAAAAAAAAAAAA"
	for i, wantDup := range []bool{false, true} {
		msg := nats.NewMsg("vif.test.v1.thing.created")
		msg.Header.Set(jetstream.MsgIDHeader, id)
		msg.Data = []byte("payload")
		ack, err := js.PublishMsg(ctx, msg)
		if err != nil {
			t.Fatalf("publish %d: %v", i+1, err)
		}
		if ack.Duplicate != wantDup {
			t.Errorf("publish %d: PubAck.Duplicate = %v; want %v", i+1, ack.Duplicate, wantDup)
		}
	}
	s, err := js.Stream(ctx, eventbus.StreamName)
	if err != nil {
		t.Fatalf("Stream(%q): %v", eventbus.StreamName, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	if info.State.Msgs != 1 {
		t.Errorf("stream holds %d messages; want 1", info.State.Msgs)
	}
}

func TestConnectWaitsForServer(t *testing.T) {
	bus := eventbustest.Start(t)
	bus.Stop()
	// The server is down: Connect must still hand back a connection that keeps trying.
	creds, err := eventbus.CredsOption(bus.Creds("directory"))
	if err != nil {
		t.Fatal(err)
	}
	nc, err := eventbus.Connect(bus.URL, t.Name(), eventbustest.Logger(t), creds)
	if err != nil {
		t.Fatalf("Connect(%q) with the server down: %v; want a retrying connection", bus.URL, err)
	}
	defer nc.Close()
	bus.Restart()
	deadline := time.Now().Add(10 * time.Second)
	for !nc.IsConnected() {
		if time.Now().After(deadline) {
			t.Fatalf("not connected to %s 10 s after the server came back; status %v", bus.URL, nc.Status())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStartEmbeddedNeedsStoreDir(t *testing.T) {
	if s, err := eventbus.StartEmbedded(eventbus.EmbeddedOptions{Port: -1}); err == nil {
		s.Shutdown()
		t.Error("StartEmbedded without StoreDir = nil error; want an error")
	}
}

// TestEmbeddedAccess proves the bus's access rules on the embedded server the single binary runs.
func TestEmbeddedAccess(t *testing.T) {
	bus := eventbustest.Start(t)
	eventbustest.CheckAccess(t, bus.URL, bus.Creds)
}

// TestStreamDeniesDeleteAndPurgeEvenToAdmin shows the stream itself refuses to lose an event:
// even a client allowed every subject cannot delete a message or purge the stream, nor switch
// that protection off.
func TestStreamDeniesDeleteAndPurgeEvenToAdmin(t *testing.T) {
	bus := eventbustest.Start(t)
	js := bus.JetStream(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := js.Publish(ctx, "vif.test.v1.thing.created", []byte("x")); err != nil {
		t.Fatal(err)
	}
	s, err := js.Stream(ctx, eventbus.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteMsg(ctx, 1); err == nil {
		t.Error("DeleteMsg(1) = nil; want the stream to refuse")
	}
	if err := s.Purge(ctx); err == nil {
		t.Error("Purge() = nil; want the stream to refuse")
	}
	cfg := eventbus.StreamConfig(eventbus.StreamOptions{})
	cfg.DenyDelete, cfg.DenyPurge = false, false
	if _, err := js.UpdateStream(ctx, cfg); err == nil {
		t.Error("UpdateStream without DenyDelete and DenyPurge = nil; want the server to refuse")
	}
	if info, err := s.Info(ctx); err != nil || info.State.Msgs != 1 {
		t.Errorf("stream after the refused calls: %+v, %v; want its 1 message", info, err)
	}
}

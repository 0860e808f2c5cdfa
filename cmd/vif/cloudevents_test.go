package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/binding/spec"
	cloudevents "github.com/cloudevents/sdk-go/v2/event"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.yaml.in/yaml/v4"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/grpcserver/grpctest"
)

// natsMessage reads a NATS message as the CloudEvents NATS protocol binding says (binary content
// mode, section 3.1): each "ce-" header is an attribute, its value percent-decoded; the body is
// the data. sdk-go's own NATS binding is a module the Go proxy does not serve here, so this
// adapter feeds the headers to sdk-go's binding machinery (spec.WithPrefix, binding.ToEvent),
// which parses and types each attribute; event.Validate then judges the result.
type natsMessage struct {
	header  nats.Header
	data    []byte
	version spec.Version
}

var natsSpecs = spec.WithPrefix("ce-")

func newNATSMessage(h nats.Header, data []byte) *natsMessage {
	m := &natsMessage{header: h, data: data}
	if !strings.HasPrefix(strings.ToLower(h.Get("Content-Type")), "application/cloudevents") {
		m.version = natsSpecs.Version(h.Get(eventbus.HeaderSpecVersion))
	}
	return m
}

func (m *natsMessage) ReadEncoding() binding.Encoding {
	if m.version == nil {
		return binding.EncodingUnknown
	}
	return binding.EncodingBinary
}

func (m *natsMessage) ReadStructured(context.Context, binding.StructuredWriter) error {
	return binding.ErrNotStructured
}

func (m *natsMessage) ReadBinary(ctx context.Context, w binding.BinaryWriter) error {
	if m.version == nil {
		return binding.ErrNotBinary
	}
	for name, values := range m.header {
		lower := strings.ToLower(name)
		if !strings.HasPrefix(lower, "ce-") {
			continue
		}
		value, err := eventbus.DecodeHeaderValue(values[0])
		if err != nil {
			return err
		}
		if attr := m.version.Attribute(lower); attr != nil {
			err = w.SetAttribute(attr, value)
		} else {
			err = w.SetExtension(strings.TrimPrefix(lower, "ce-"), value)
		}
		if err != nil {
			return err
		}
	}
	return w.SetData(bytes.NewReader(m.data))
}

func (m *natsMessage) Finish(error) error { return nil }

// GetAttribute and GetExtension let the SDK look attributes up by kind while it writes the event.
func (m *natsMessage) GetAttribute(k spec.Kind) (spec.Attribute, any) {
	attr := m.version.AttributeFromKind(k)
	if attr == nil {
		return nil, nil
	}
	if v := m.header.Get(attr.PrefixedName()); v != "" {
		decoded, err := eventbus.DecodeHeaderValue(v)
		if err == nil {
			return attr, decoded
		}
	}
	return attr, nil
}

func (m *natsMessage) GetExtension(name string) any {
	if v := m.header.Get("ce-" + name); v != "" {
		if decoded, err := eventbus.DecodeHeaderValue(v); err == nil {
			return decoded
		}
	}
	return nil
}

// TestLiveEventsAreValidCloudEvents reads every event the embedded default publishes while it
// seeds (every service, the real relays, the real NATS server) and checks each with the
// CloudEvents SDK: a valid event in binary mode, its dataschema the absolute URI that names the
// payload's protobuf message, datacontenttype application/protobuf, and its subject the resource
// name the payload carries; and each subject is a channel of docs/asyncapi.yaml with that payload.
func TestLiveEventsAreValidCloudEvents(t *testing.T) {
	dataDir := t.TempDir()
	in, _ := startEmbedded(t, dataDir)
	creds, err := nats.NkeyOptionFromSeed(readerCreds(t, dataDir))
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(in.natsURL, creds)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	msgs := seededEvents(t, js)

	t.Logf("%d events in the stream", len(msgs))
	catalogue := asyncAPIChannels(t)
	sources := map[string]int{}
	for _, msg := range msgs {
		ev, err := binding.ToEvent(context.Background(), newNATSMessage(msg.Headers(), msg.Data()))
		if err != nil {
			t.Errorf("%s: sdk-go cannot read it as a CloudEvent: %v (headers %v)", msg.Subject(), err, msg.Headers())
			continue
		}
		if err := ev.Validate(); err != nil {
			t.Errorf("%s: sdk-go Validate: %v (headers %v)", msg.Subject(), err, msg.Headers())
			continue
		}
		sources[ev.Source()]++
		checkEvent(t, msg, ev)
		if want, ok := catalogue[ev.Type()]; !ok || eventbus.MessageName(ev.DataSchema()) != want {
			t.Errorf("%s with %s: docs/asyncapi.yaml has %q for this subject; want the channel with that payload", ev.Type(), ev.DataSchema(), want)
		}
	}
	for _, src := range []string{"/vif/directory", "/vif/funding", "/vif/fleet"} {
		if sources[src] == 0 {
			t.Errorf("no event from %s among %d; want the seed's events of every service (got %v)", src, len(msgs), sources)
		}
	}
}

// checkEvent checks what a subscriber relies on beyond the SDK's validation.
func checkEvent(t *testing.T, msg jetstream.Msg, ev *cloudevents.Event) {
	t.Helper()
	if ev.SpecVersion() != "1.0" || ev.Type() != msg.Subject() || ev.ID() != msg.Headers().Get(jetstream.MsgIDHeader) {
		t.Errorf("%s: specversion %q, type %q, id %q; want 1.0, the NATS subject, the Nats-Msg-Id", msg.Subject(), ev.SpecVersion(), ev.Type(), ev.ID())
	}
	if ev.DataContentType() != "application/protobuf" {
		t.Errorf("%s: datacontenttype = %q; want application/protobuf", msg.Subject(), ev.DataContentType())
	}
	schema := ev.DataSchema()
	if !strings.HasPrefix(schema, "https://type.googleapis.com/") {
		t.Errorf("%s: dataschema = %q; want the protobuf type URL https://type.googleapis.com/<message>", msg.Subject(), schema)
		return
	}
	mt, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(strings.TrimPrefix(schema, "https://type.googleapis.com/")))
	if err != nil {
		t.Errorf("%s: dataschema %q names no known message: %v", msg.Subject(), schema, err)
		return
	}
	payload := mt.New().Interface()
	if err := proto.Unmarshal(ev.Data(), payload); err != nil {
		t.Errorf("%s: data is not a %s: %v", msg.Subject(), schema, err)
		return
	}
	if name := resourceName(payload); ev.Subject() == "" || ev.Subject() != name {
		t.Errorf("%s: subject = %q; want the resource name the payload carries, %q (%s)", msg.Subject(), ev.Subject(), name, protojson.Format(payload))
	}
}

// resourceName returns the resource an event payload is about: its own name (a deletion), the
// name of the resource it carries (organisation, cession, …) or, for a report, the report.
func resourceName(m proto.Message) string {
	r := m.ProtoReflect()
	fields := r.Descriptor().Fields()
	for _, n := range []protoreflect.Name{"name", "report"} {
		if f := fields.ByName(n); f != nil && f.Kind() == protoreflect.StringKind {
			return r.Get(f).String()
		}
	}
	for i := range fields.Len() {
		f := fields.Get(i)
		if f.Kind() != protoreflect.MessageKind || f.IsList() || f.IsMap() || !r.Has(f) {
			continue
		}
		inner := r.Get(f).Message()
		if nf := inner.Descriptor().Fields().ByName("name"); nf != nil && nf.Kind() == protoreflect.StringKind {
			return inner.Get(nf).String()
		}
	}
	return ""
}

// asyncAPIChannels reads docs/asyncapi.yaml as subject -> payload message (the components key of
// each channel's message is the message's full protobuf name).
func asyncAPIChannels(t *testing.T) map[string]protoreflect.FullName {
	t.Helper()
	raw, err := os.ReadFile("../../docs/asyncapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Channels map[string]struct {
			Address  string
			Messages map[string]struct {
				Ref string `yaml:"$ref"`
			}
		}
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]protoreflect.FullName{}
	for _, ch := range doc.Channels {
		for _, m := range ch.Messages {
			out[ch.Address] = protoreflect.FullName(strings.TrimPrefix(m.Ref, "#/components/messages/"))
		}
	}
	return out
}

// seededEvents waits for the seed to settle (the stream stops growing) and returns every message
// of the stream.
func seededEvents(t *testing.T, js jetstream.JetStream) []jetstream.Msg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	stream, err := js.Stream(ctx, eventbus.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	// Settled: the same count, not zero, on 4 readings 500 ms apart (the interval is the
	// measure of "stopped growing", not only a pause between polls).
	var last uint64
	stable := 0
	if !grpctest.Within(60*time.Second, 500*time.Millisecond, func() bool {
		info, err := stream.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n := info.State.Msgs; n > 0 && n == last {
			stable++
		} else {
			stable, last = 0, n
		}
		return stable >= 3
	}) {
		t.Fatalf("the stream did not settle in 60 s: %d messages at the last reading", last)
	}
	cons, err := stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []jetstream.Msg
	for uint64(len(msgs)) < last {
		batch, err := cons.Fetch(int(last)-len(msgs), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		n := len(msgs)
		for msg := range batch.Messages() {
			msgs = append(msgs, msg)
		}
		if len(msgs) == n {
			t.Fatalf("read %d of %d events of the stream", n, last)
		}
	}
	return msgs
}

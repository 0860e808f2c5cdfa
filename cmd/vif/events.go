package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/vif71/vif/platform/config"
	"github.com/vif71/vif/platform/eventbus"

	// The event messages register themselves with protoregistry.GlobalTypes, which is how a
	// ce-dataschema header (eventbus.MessageName) finds the type to decode the payload with.
	_ "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
	_ "github.com/vif71/vif/proto/gen/go/vif/fleet/v1"
	_ "github.com/vif71/vif/proto/gen/go/vif/funding/v1"
)

const eventsUsage = `usage:
  vif events tail [subject] [flags]   print each event of the stream as one line, then acknowledge it
  vif events credentials [flags]      print where the read-only NATS credentials for subscribers are

subject filters the stream (default vif.>), e.g. vif.fleet.> or vif.fleet.v1.cession.handed_over.
See vif events tail --help for the flags.`

const (
	// eventsConnectTimeout bounds the first connection: a person running tail against the wrong
	// URL should hear about it in seconds, not watch a prompt that never prints.
	eventsConnectTimeout = 3 * time.Second
	// eventsAPITimeout bounds each JetStream API call (stream lookup, consumer creation).
	eventsAPITimeout = 5 * time.Second
	// eventsSettleTimeout bounds the last acks and naks sent while stopping.
	eventsSettleTimeout = 2 * time.Second
)

// events runs `vif events <sub-command>`.
func events(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(strings.TrimRight(eventsUsage, "\n"))
	}
	switch args[0] {
	case "tail":
		return eventsTail(ctx, args[1:], getenv, stdout)
	case "credentials":
		return eventsCredentials(args[1:], getenv, stdout)
	case "help", "-h", "--help":
		_, err := fmt.Fprintln(stdout, eventsUsage)
		return err
	default:
		return fmt.Errorf("unknown events command %q\n%s", args[0], eventsUsage)
	}
}

// eventsTail prints the events of the VIF stream through a durable consumer, one line each, and
// acknowledges each once it is printed. The consumer being durable, the next run resumes after
// the last acknowledged event; the ack coming after the print, an event is shown at least once.
func eventsTail(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg := config.New("vif events tail", getenv)
	url := cfg.String("nats-url", "VIF_NATS_URL", nats.DefaultURL, "NATS server holding the VIF stream")
	credsFile := cfg.String("nats-creds", "VIF_NATS_CREDS", "", "read-only NATS credentials file (default: the reader's in --data-dir, see vif events credentials)")
	dataDir := cfg.String("data-dir", "VIF_DATA_DIR", ".vif", "data directory of the embedded default, whose reader credentials are used when --nats-creds is not set")
	durable := cfg.String("durable", "VIF_EVENTS_DURABLE", "", `durable consumer name, the bookmark a later run resumes from (default "tail-" + the subject)`)
	onlyNew := cfg.Bool("new", "VIF_EVENTS_NEW", false, "when the durable is created, start after the last event instead of at the first one kept")
	cfg.Usage = func() {
		fmt.Fprintf(cfg.Output(), "usage: vif events tail [subject] [flags]\n\nsubject filters the stream (default %s), e.g. vif.fleet.> or vif.fleet.v1.cession.handed_over.\n\n", eventbus.SubjectAll)
		cfg.PrintDefaults()
	}
	subject, err := parseTailArgs(cfg, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *durable == "" {
		*durable = tailDurable(subject)
	}

	nc, err := connectTail(*url, *credsFile, *dataDir)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("jetstream on %s: %w", *url, err)
	}
	cons, err := tailConsumer(ctx, js, *url, *durable, subject, *onlyNew)
	if err != nil {
		return err
	}
	err = printEvents(ctx, cons, stdout)
	// Acks are sent without waiting for an answer; the flush makes sure the server has every one
	// of them before the connection closes, so the next run does not show those events again.
	if ferr := nc.FlushTimeout(eventsSettleTimeout); ferr != nil && err == nil && !nc.IsClosed() {
		err = fmt.Errorf("flush acknowledgements to %s: %w", *url, ferr)
	}
	return err
}

// connectTail connects to NATS at url as vif events tail, with the read-only credentials in
// credsFile or, when it is empty, the embedded default's reader in dataDir if there is one.
func connectTail(url, credsFile, dataDir string) (*nats.Conn, error) {
	if credsFile == "" {
		// The embedded default's reader, when there is one; otherwise the server says whether it
		// wants credentials.
		if f := eventbus.ReaderCredsFile(filepath.Join(dataDir, natsKeysDir)); fileExists(f) {
			credsFile = f
		}
	}
	creds, err := eventbus.CredsOption(credsFile)
	if err != nil {
		return nil, fmt.Errorf("%w (--nats-creds names the read-only credentials; vif events credentials prints where they are)", err)
	}
	nc, err := nats.Connect(url, creds,
		nats.Name("vif events tail"),
		nats.Timeout(eventsConnectTimeout),
		// Once connected, ride out restarts of the server: the consumer is durable, so nothing is
		// missed while the connection is down.
		nats.MaxReconnects(-1),
		nats.ReconnectWait(eventbus.ReconnectWait),
	)
	if errors.Is(err, nats.ErrAuthorization) || errors.Is(err, nats.ErrAuthExpired) {
		return nil, fmt.Errorf("NATS at %s refused the credentials in %s: %w (give the reader's of that server: vif events credentials prints where they are)", url, credsFile, err)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot reach NATS at %s: %w (is `vif serve` running? --nats-url or VIF_NATS_URL names another server)", url, err)
	}
	return nc, nil
}

// eventsCredentials makes sure the NATS keys of the data directory exist (vif serve uses the same
// ones) and prints where they are: the reader's for outside subscribers, one per service for the
// distributed shape, and the public keys for a standalone nats-server. It never prints a seed.
func eventsCredentials(args []string, getenv func(string) string, stdout io.Writer) error {
	cfg := config.New("vif events credentials", getenv)
	dataDir := cfg.String("data-dir", "VIF_DATA_DIR", ".vif", "data directory of the embedded default (or the secrets directory of the distributed shape)")
	if err := cfg.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if extra := cfg.Args(); len(extra) > 0 {
		return fmt.Errorf("vif events credentials takes no argument; got %q", extra)
	}
	keys, err := eventbus.LoadOrCreateKeyring(filepath.Join(*dataDir, natsKeysDir))
	if err != nil {
		return err
	}
	reader := keys.SeedFile(eventbus.Reader)
	if abs, err := filepath.Abs(reader); err == nil {
		reader = abs
	}
	var services []string
	for _, s := range eventbus.Services {
		services = append(services, keys.SeedFile(s))
	}
	_, err = fmt.Fprintf(stdout, `%s
  read-only NATS credentials (nkey seed) for subscribers: subscribe and consume the %s stream,
  never publish. Give the file, not its content, to your client, e.g.
    go run ./cmd/vif events tail --nats-creds %s
    go run ./examples/handover-notice --nats-creds %s
    nats --nkey %s stream info %s
Service credentials, each allowed to publish on vif.<service>.> only (--nats-creds of each daemon):
  %s
Public keys, for a standalone nats-server with deploy/nats/nats.conf: %s
`, reader, eventbus.StreamName, reader, reader, reader, eventbus.StreamName,
		strings.Join(services, "\n  "), filepath.Join(keys.Dir, eventbus.EnvFile))
	return err
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// parseTailArgs parses flags placed before or after the optional subject.
func parseTailArgs(cfg *config.Set, args []string) (string, error) {
	if err := cfg.Parse(args); err != nil {
		return "", err
	}
	subject := eventbus.SubjectAll
	if rest := cfg.Args(); len(rest) > 0 {
		subject = rest[0]
		if err := cfg.Parse(rest[1:]); err != nil {
			return "", err
		}
		if extra := cfg.Args(); len(extra) > 0 {
			return "", fmt.Errorf("one subject at most; also got %q", extra)
		}
	}
	if subject != eventbus.SubjectAll && (!strings.HasPrefix(subject, "vif.") || strings.ContainsAny(subject, " \t\r\n")) {
		return "", fmt.Errorf("subject %q is not in the stream %s, which holds %s", subject, eventbus.StreamName, eventbus.SubjectAll)
	}
	return subject, nil
}

// tailDurable derives a durable name from a subject filter, since durable names may not hold
// dots or wildcards: "vif.fleet.>" gives "tail-vif-fleet-all". The same filter gives the same
// name, so running tail again on a subject resumes where the previous run stopped.
func tailDurable(subject string) string {
	r := strings.NewReplacer(".", "-", "*", "any", ">", "all", "/", "_", "\\", "_", " ", "_", "\t", "_")
	return "tail-" + r.Replace(subject)
}

// tailConsumer checks the stream exists and creates or updates the durable consumer.
func tailConsumer(ctx context.Context, js jetstream.JetStream, url, durable, subject string, onlyNew bool) (jetstream.Consumer, error) {
	actx, cancel := context.WithTimeout(ctx, eventsAPITimeout)
	defer cancel()
	stream, err := js.Stream(actx, eventbus.StreamName)
	switch {
	case errors.Is(err, jetstream.ErrStreamNotFound):
		return nil, fmt.Errorf("NATS at %s has no stream %s: start the suite once (`vif serve` creates it) or point --nats-url at its server", url, eventbus.StreamName)
	case errors.Is(err, jetstream.ErrJetStreamNotEnabled), errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount):
		return nil, fmt.Errorf("NATS at %s does not run JetStream, so it holds no %s stream", url, eventbus.StreamName)
	case err != nil:
		return nil, fmt.Errorf("look up stream %s on %s: %w", eventbus.StreamName, url, err)
	}
	cfg := jetstream.ConsumerConfig{
		Durable:       durable,
		Description:   "vif events tail " + subject,
		FilterSubject: subject,
		AckPolicy:     jetstream.AckExplicitPolicy,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	}
	if onlyNew {
		cfg.DeliverPolicy = jetstream.DeliverNewPolicy
	}
	// The server refuses to change where an existing durable starts, and its position is what
	// makes it worth keeping: an existing durable keeps its deliver policy, so --new only matters
	// the first time.
	if existing, err := stream.Consumer(actx, durable); err == nil {
		c := existing.CachedInfo().Config
		cfg.DeliverPolicy, cfg.OptStartSeq, cfg.OptStartTime = c.DeliverPolicy, c.OptStartSeq, c.OptStartTime
	} else if !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil, fmt.Errorf("look up consumer %s on %s: %w", durable, url, err)
	}
	cons, err := stream.CreateOrUpdateConsumer(actx, cfg)
	if err != nil {
		return nil, fmt.Errorf("consumer %s on stream %s filtered to %s: %w", durable, eventbus.StreamName, subject, err)
	}
	return cons, nil
}

// printEvents prints and acknowledges messages until ctx ends.
func printEvents(ctx context.Context, cons jetstream.Consumer, stdout io.Writer) error {
	it, err := cons.Messages()
	if err != nil {
		return fmt.Errorf("consume: %w", err)
	}
	defer it.Stop()
	for {
		msg, err := it.Next(jetstream.NextContext(ctx))
		if ctx.Err() != nil {
			giveBack(it, msg)
			return nil
		}
		if err != nil {
			return fmt.Errorf("consume: %w", err)
		}
		if _, err := io.WriteString(stdout, eventLine(msg)+"\n"); err != nil {
			nakQuietly(msg)
			return fmt.Errorf("print event: %w", err)
		}
		if err := msg.Ack(); err != nil {
			return fmt.Errorf("acknowledge %s: %w", msg.Headers().Get(eventbus.HeaderID), err)
		}
	}
}

// giveBack hands back the messages fetched but not printed: held, if any, then those still in
// the iterator's buffer. Left alone they would come back only after the ack wait (30 s); nak'ed,
// the next run starts with them (JetStream does not promise their order among themselves). They
// are nak'ed once the pull has ended, else the server would send each straight back into the
// buffer being emptied.
func giveBack(it jetstream.MessagesContext, held jetstream.Msg) {
	var msgs []jetstream.Msg
	if held != nil {
		msgs = append(msgs, held)
	}
	it.Drain()
	for {
		msg, err := it.Next(jetstream.NextMaxWait(eventsSettleTimeout))
		if err != nil {
			break
		}
		msgs = append(msgs, msg)
	}
	for _, msg := range msgs {
		nakQuietly(msg)
	}
}

// nakQuietly gives a message back; if the nak is lost the ack wait does the same, later.
func nakQuietly(msg jetstream.Msg) { _ = msg.Nak() }

// eventLine formats one event: time, subject, id and payload as compact JSON.
func eventLine(msg jetstream.Msg) string {
	h := msg.Headers()
	when := h.Get(eventbus.HeaderTime)
	if when == "" {
		when = "-"
	}
	id := h.Get(eventbus.HeaderID)
	if id == "" {
		id = "-"
	}
	schema, err := eventbus.DecodeHeaderValue(h.Get(eventbus.HeaderDataSchema))
	if err != nil {
		schema = ""
	}
	return when + " " + msg.Subject() + " " + id + " " + payloadJSON(schema, msg.Data())
}

// payloadJSON decodes data as the message named by schema, a ce-dataschema (the message's type
// URL, or its bare name as older events had it). A schema this binary does not know (a newer
// service, another producer) still gets a line, with the payload's size, so tail never stops on
// an event it cannot read.
func payloadJSON(schema string, data []byte) string {
	if schema == "" {
		return fmt.Sprintf("(%d bytes, no %s)", len(data), eventbus.HeaderDataSchema)
	}
	mt, err := protoregistry.GlobalTypes.FindMessageByName(eventbus.MessageName(schema))
	if err != nil {
		return fmt.Sprintf("(%d bytes of unknown %s)", len(data), schema)
	}
	m := mt.New().Interface()
	if err := proto.Unmarshal(data, m); err != nil {
		return fmt.Sprintf("(%d bytes, not a valid %s: %v)", len(data), schema, err)
	}
	js, err := protojson.Marshal(m)
	if err != nil {
		return fmt.Sprintf("(%d bytes of %s: %v)", len(data), schema, err)
	}
	// protojson varies its spacing on purpose; compacting gives one stable line.
	var buf bytes.Buffer
	if err := json.Compact(&buf, js); err != nil {
		return string(js)
	}
	return buf.String()
}

// Command handover-notice is an example subscriber to the vif event stream: each time a retired
// vehicle of the Caf is handed over to a partner organisation, it writes a notice for the
// Préfecture, in French, to <out>/<cession-id>.txt.
//
// It shows the pattern every subscriber should follow: a durable consumer, so that nothing is
// missed while the program is stopped; an acknowledgement sent only once the work is done, so
// that a crash means a redelivery and never a loss; and work that is idempotent, since JetStream
// delivers at least once: a ledger of the event ids handled (platform/eventbus/dedup) skips the
// copies, and the notice is keyed on the cession besides. When the OTEL_* variables ask for
// traces, the handling of each event continues the trace of the call that made it. It depends
// only on nats.go, protobuf, the generated fleet package, and vif's dedup, requestid and
// telemetry packages (OpenTelemetry).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/codes"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/proto"

	"github.com/vif71/vif/platform/eventbus/dedup"
	"github.com/vif71/vif/platform/requestid"
	"github.com/vif71/vif/platform/telemetry"
	fleetv1 "github.com/vif71/vif/proto/gen/go/vif/fleet/v1"
)

// What this subscriber reads; docs/events.md is the catalogue.
const (
	stream  = "VIF"
	subject = "vif.fleet.v1.cession.handed_over"
	// durable names the consumer on the server. The server keeps its position under this name,
	// so a restart resumes after the last acknowledged handover, and handovers that happened
	// while the program was down are delivered when it comes back.
	durable = "handover-notices"
)

// CloudEvents headers every vif event carries (binary mode: attributes are headers).
const (
	headerID         = "ce-id"
	headerTime       = "ce-time"
	headerDataSchema = "ce-dataschema"
)

// schema is the full name of the payload message. ce-dataschema is its protobuf type URL,
// "https://type.googleapis.com/" + schema: the name is what follows the last "/".
var schema = string((&fleetv1.CessionChanged{}).ProtoReflect().Descriptor().FullName())

// schemaName returns the message name a ce-dataschema names.
func schemaName(dataSchema string) string {
	return dataSchema[strings.LastIndexByte(dataSchema, '/')+1:]
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "handover-notice:", err)
		os.Exit(1)
	}
}

// run consumes handovers until ctx ends, then returns nil.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	o, err := parseOptions(args)
	if err != nil || o == nil {
		return err
	}
	// requestid.Handler writes the trace and span ids on the lines of a traced handling.
	log := slog.New(requestid.Handler(slog.NewTextHandler(stdout, nil)))
	if o.creds == "" {
		return errors.New("--nats-creds is required: the read-only credentials file that `vif events credentials` names")
	}
	// Tracing, when the standard OTEL_* variables ask for it (OTEL_EXPORTER_OTLP_ENDPOINT…); the
	// last spans are flushed on the way out.
	stopTracing, err := telemetry.Setup(ctx, "handover-notice")
	if err != nil {
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := stopTracing(ctx); err != nil {
			log.Warn("flushing the last spans failed", "err", err)
		}
	}()
	nc, cons, err := openConsumer(ctx, o.natsURL, o.creds)
	if err != nil {
		return err
	}
	defer nc.Close()

	ledger, err := dedup.NewDirLedger(o.ledgerDir)
	if err != nil {
		return err
	}
	n := &notifier{dir: o.out, retryDelay: o.retryDelay, log: log, ledger: ledger}
	return consumeUntilDone(ctx, cons, n, o, log)
}

// options are run's flags.
type options struct {
	natsURL, creds, out, ledgerDir string
	retryDelay                     time.Duration
}

// parseOptions parses run's flags, the ledger defaulting to --out with .handled appended. It
// returns nil options and no error when args ask for the help text, which the flag package has
// printed.
func parseOptions(args []string) (*options, error) {
	flags := flag.NewFlagSet("handover-notice", flag.ContinueOnError)
	natsURL := flags.String("nats-url", nats.DefaultURL, "NATS server holding the VIF stream")
	creds := flags.String("nats-creds", "", "read-only NATS credentials: the nkey seed file `vif events credentials` names (required: the suite's servers refuse anonymous clients)")
	out := flags.String("out", "./notices", "directory the notices are written to")
	ledgerDir := flags.String("ledger", "", "directory of the ids of the events handled (default: --out with .handled appended, e.g. ./notices.handled)")
	retryDelay := flags.Duration("retry-delay", 10*time.Second, "wait before a notice that could not be written is tried again")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil
		}
		return nil, err
	}
	if *ledgerDir == "" {
		*ledgerDir = filepath.Clean(*out) + ".handled"
	}
	return &options{natsURL: *natsURL, creds: *creds, out: *out, ledgerDir: *ledgerDir, retryDelay: *retryDelay}, nil
}

// openConsumer connects to NATS at natsURL with the nkey seed file creds and creates or updates
// the durable consumer. The caller closes the connection.
func openConsumer(ctx context.Context, natsURL, creds string) (*nats.Conn, jetstream.Consumer, error) {
	// The seed stays in its file: nats.go reads it to sign the server's challenge, and only the
	// public key goes over the wire. The reader may consume the stream, never publish on it.
	auth, err := nats.NkeyOptionFromSeed(creds)
	if err != nil {
		return nil, nil, fmt.Errorf("--nats-creds %s: %w", creds, err)
	}
	// The first connection fails fast, so a wrong URL is reported at once (a supervisor restarts
	// the program); once connected, the client reconnects forever and the durable consumer picks
	// up where it was.
	nc, err := nats.Connect(natsURL, auth, nats.Name("handover-notice"), nats.Timeout(3*time.Second), nats.MaxReconnects(-1))
	if err != nil {
		return nil, nil, fmt.Errorf("connect to NATS at %s: %w", natsURL, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	actx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	cons, err := js.CreateOrUpdateConsumer(actx, stream, consumerConfig())
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("consumer %s on stream %s at %s: %w", durable, stream, natsURL, err)
	}
	return nc, cons, nil
}

// consumeUntilDone hands each handover to n until ctx ends, then lets the messages already
// fetched finish (10 s at most).
func consumeUntilDone(ctx context.Context, cons jetstream.Consumer, n *notifier, o *options, log *slog.Logger) error {
	cc, err := cons.Consume(n.receive, jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		log.Warn("consume", "err", err)
	}))
	if err != nil {
		return fmt.Errorf("consume: %w", err)
	}
	log.Info("waiting for handovers", "nats", o.natsURL, "subject", subject, "durable", durable, "out", o.out)
	<-ctx.Done()
	// Drain finishes the messages already fetched rather than dropping them: each still gets its
	// notice and its ack instead of waiting out the ack wait on the server.
	cc.Drain()
	select {
	case <-cc.Closed():
	case <-time.After(10 * time.Second):
		log.Warn("stopped before every fetched message was handled; they will be redelivered")
	}
	return nil
}

// consumerConfig is the durable consumer the program reads through.
func consumerConfig() jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:     durable,
		Description: "Writes a notice for the Préfecture for each handed-over cession (examples/handover-notice).",
		// The filter is applied on the server: no other event is sent to this program.
		FilterSubject: subject,
		// On first creation, start from the oldest handover the stream keeps (a year), so the
		// first run writes the notices of past handovers too. Later runs resume from the
		// consumer's position whatever this says.
		DeliverPolicy: jetstream.DeliverAllPolicy,
		// Explicit acks: a message counts as handled only when the program says so, after the
		// notice is on disk.
		AckPolicy: jetstream.AckExplicitPolicy,
		// AckWait is how long the server waits for that ack before sending the message again: a
		// notice takes milliseconds to write, so 30 s only matters when the program died while
		// handling it.
		AckWait: 30 * time.Second,
		// MaxDeliver -1: a notice the Préfecture expects must not be dropped after N failures (a
		// full disk can last a while). What can never succeed, such as an unreadable payload, is
		// terminated by the handler instead, so it does not come back forever.
		MaxDeliver: -1,
	}
}

// outcome is what the handler tells JetStream about a message.
type outcome int

const (
	// done: the notice exists (written now or by an earlier delivery) or the message is not a
	// handover; acknowledge it.
	done outcome = iota
	// retry: the notice could not be written; let the message come again after a delay.
	retry
	// reject: the message can never give a notice; terminate it so it is not sent again.
	reject
)

func (o outcome) String() string {
	return [...]string{"done", "retry", "reject"}[o]
}

type notifier struct {
	dir        string
	retryDelay time.Duration
	log        *slog.Logger
	// ledger remembers the ids of the events handled. The stream drops a copy of an event only
	// within its two-minute window; a relay restarted later publishes it again (docs/events.md),
	// and the copy, same ce-id, is acknowledged here without being handled twice.
	ledger dedup.Ledger
}

// receive handles one message and settles it. The ack comes after the work: if the program dies
// in between, the message is delivered again and handle finds the notice already there.
func (n *notifier) receive(msg jetstream.Msg) {
	id := msg.Headers().Get(headerID)
	// The handling continues the trace of the call that made the event (its traceparent header),
	// when this program traces: its span, and its log lines' trace_id, join that trace.
	ctx, span := telemetry.StartProcessing(context.Background(), msg.Headers(), msg.Subject(), id)
	defer span.End()
	seen, err := n.ledger.Seen(ctx, id)
	var path string
	o := done
	switch {
	case errors.Is(err, dedup.ErrBadID):
		o, err = reject, fmt.Errorf("no event id in %s: %w", headerID, err)
	case err != nil:
		o = retry
	case seen:
		err = errAlreadyHandled
	default:
		path, o, err = handle(n.dir, msg.Subject(), msg.Headers(), msg.Data())
	}
	switch o {
	case done:
		// Recorded before the ack: a crash in between redelivers an event the ledger knows. A
		// failed record only costs a redelivery, which the notice's existence absorbs.
		if !seen {
			if rerr := n.ledger.Record(ctx, id); rerr != nil {
				n.log.WarnContext(ctx, "event id not recorded", "event", id, "err", rerr)
			}
		}
		n.log.InfoContext(ctx, "event handled", "event", id, "subject", msg.Subject(), "notice", path, "note", errText(err))
		// A lost ack means one more delivery, which handle absorbs: no need to wait for the
		// server's confirmation.
		if err := msg.Ack(); err != nil {
			n.log.WarnContext(ctx, "ack", "event", id, "err", err)
		}
	case retry:
		span.SetStatus(codes.Error, "notice not written")
		n.log.WarnContext(ctx, "notice not written; will retry", "event", id, "in", n.retryDelay, "err", err)
		if err := msg.NakWithDelay(n.retryDelay); err != nil {
			n.log.WarnContext(ctx, "nak", "event", id, "err", err)
		}
	case reject:
		span.SetStatus(codes.Error, "event rejected")
		n.log.ErrorContext(ctx, "event rejected: it cannot give a notice", "event", id, "err", err)
		if err := msg.TermWithReason(err.Error()); err != nil {
			n.log.WarnContext(ctx, "term", "event", id, "err", err)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// errAlreadyHandled is the note of a copy of an event the ledger knows.
var errAlreadyHandled = errors.New("event already handled: a copy, or a redelivery")

// errAlreadyWritten is the note of a delivery whose notice exists.
var errAlreadyWritten = errors.New("notice already written by an earlier delivery")

// cessionName is a cession's resource name; its id becomes the file name, so it is checked
// before it comes anywhere near a path.
var cessionName = regexp.MustCompile(`^cessions/([a-z0-9][a-z0-9-]{0,62})$`)

// handle turns one message into a notice file and says how to settle the message. It returns
// the notice's path when there is one; with done, err may carry a note (errAlreadyWritten).
func handle(dir, subj string, h nats.Header, data []byte) (string, outcome, error) {
	if subj != subject {
		return "", done, fmt.Errorf("not a handover (%s): ignored", subj)
	}
	if s := h.Get(headerDataSchema); s != "" && schemaName(s) != schema {
		return "", reject, fmt.Errorf("payload is %s; want %s", s, schema)
	}
	var ev fleetv1.CessionChanged
	if err := proto.Unmarshal(data, &ev); err != nil {
		return "", reject, fmt.Errorf("payload is not a %s: %w", schema, err)
	}
	c := ev.GetCession()
	m := cessionName.FindStringSubmatch(c.GetName())
	if m == nil {
		return "", reject, fmt.Errorf("cession name %q is not cessions/{id}", c.GetName())
	}
	if c.GetHandover() == nil {
		return "", reject, fmt.Errorf("%s: handed-over event without its handover", c.GetName())
	}
	path := filepath.Join(dir, m[1]+".txt")
	// Idempotency by cession: a cession is handed over once, so its name identifies the notice.
	// A redelivery, or the same event published again, finds the file and changes nothing.
	if _, err := os.Stat(path); err == nil {
		return path, done, errAlreadyWritten
	} else if !errors.Is(err, fs.ErrNotExist) {
		return path, retry, err
	}
	text := notice(&ev, h.Get(headerID), h.Get(headerTime))
	if err := writeAtomically(path, []byte(text)); err != nil {
		return path, retry, err
	}
	return path, done, nil
}

// writeAtomically writes data to a temporary file beside path, syncs it and renames it into
// place: a reader, or a restart after a crash, sees the whole notice or none, never half of one.
func writeAtomically(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	// Created on demand, so fixing a missing or misplaced directory needs no restart.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	// The ack that follows tells the server the notice is safe: it must be on disk, not in a
	// cache a power cut would lose.
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Make the rename itself durable; some systems cannot sync a directory, and the notice is
	// written all the same.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// notice is the text sent to the Préfecture.
func notice(ev *fleetv1.CessionChanged, eventID, eventTime string) string {
	c := ev.GetCession()
	h := c.GetHandover()
	var b strings.Builder
	line := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }

	line("AVIS DE REMISE D'UN VÉHICULE CÉDÉ À TITRE GRATUIT")
	line("")
	line("Destinataire : Préfecture de Saône-et-Loire")
	line("")
	line("Cession : %s", c.GetName())
	line("Véhicule : %s", c.GetVehicle())
	if kind := c.GetBeneficiaryKind(); kind != "" {
		line("Organisation bénéficiaire : %s (%s)", c.GetBeneficiary(), kind)
	} else {
		line("Organisation bénéficiaire : %s", c.GetBeneficiary())
	}
	line("")
	line("Date de la remise : %s", frenchDate(h.GetHandoverDate()))
	line("Lieu de la remise : %s", h.GetPlace())
	if km := h.GetOdometerKm(); km > 0 {
		line("Kilométrage au compteur : %s km", groupThousands(km))
	}
	line("")
	if len(h.GetOfficials()) == 0 {
		line("Personnes présentes : aucune consignée")
	} else {
		line("Personnes présentes :")
		for _, o := range h.GetOfficials() {
			line("  - %s, %s", o.GetDisplayName(), o.GetTitle())
		}
	}
	line("")
	line("Certificat de cession (cerfa n° 15776) : %s", orUnknown(h.GetCertificateReference()))
	line("Déclaration de cession à effectuer au plus tard le %s.", frenchDate(c.GetDeclarationDeadline()))
	line("")
	line("Avis établi automatiquement d'après l'événement %s du %s.", orUnknown(eventID), orUnknown(eventTime))
	return b.String()
}

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	"août", "septembre", "octobre", "novembre", "décembre"}

// frenchDate writes a day as in a French letter: "1er mars 2025", "12 mars 2025".
func frenchDate(d *date.Date) string {
	if d == nil || d.GetYear() == 0 || d.GetMonth() < 1 || d.GetMonth() > 12 || d.GetDay() == 0 {
		return "(date non communiquée)"
	}
	day := fmt.Sprint(d.GetDay())
	if d.GetDay() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, frenchMonths[d.GetMonth()-1], d.GetYear())
}

// groupThousands writes n the French way, digits grouped by three: 98250 gives "98 250".
func groupThousands(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func orUnknown(s string) string {
	if s == "" {
		return "(non communiqué)"
	}
	return s
}

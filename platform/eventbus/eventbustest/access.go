package eventbustest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/vif71/vif/platform/eventbus"
)

// accessWait bounds each step of CheckAccess; on a healthy machine each takes milliseconds.
const accessWait = 10 * time.Second

// CheckAccess proves, against the running server at url, the access rules of the suite's bus:
// anonymous and unknown clients are refused; a service may keep the VIF stream and publish on its
// own subjects but not on another service's, nor delete or purge anything; the reader may read
// and consume the stream but not publish an event, change the stream, delete or purge it. creds
// gives each identity's credentials file. The stream must deny deletes and purges in its
// configuration too. The server may be in use meanwhile: what the checks publish is on subjects
// of their own, vif.<service>.v1.access_check.*, which they leave in the stream with a durable
// consumer "access-check".
func CheckAccess(t *testing.T, url string, creds func(identity string) string) {
	t.Helper()
	checkStrangersRefused(t, url)

	fleet := dialAs(t, url, "fleet", creds("fleet"))
	directory := dialAs(t, url, "directory", creds("directory"))
	reader := dialAs(t, url, eventbus.Reader, creds(eventbus.Reader))
	ctx, cancel := context.WithTimeout(context.Background(), accessWait)
	defer cancel()

	checkServiceWrites(t, ctx, fleet, directory)
	first := firstSeq(t, ctx, reader.js)
	checkForgeriesDenied(t, fleet, reader)
	for _, c := range []*identityConn{reader, fleet} {
		t.Run(c.name+" cannot delete, purge or remove the stream", func(t *testing.T) {
			checkStreamKept(t, ctx, c, c == reader)
		})
	}
	if n := subjectMsgs(t, ctx, reader.js, "vif.*.v1.access_check.forged"); n != 0 {
		t.Errorf("the stream holds %d forged messages; want none", n)
	}
	if after := firstSeq(t, ctx, reader.js); after != first {
		t.Errorf("the stream's first message is %d after the forbidden calls; want %d, as before", after, first)
	}

	t.Run("the reader consumes the stream", func(t *testing.T) {
		checkReaderConsumes(t, ctx, reader, fleet)
	})
	if errs := reader.unexpected(); len(errs) > 0 {
		t.Errorf("reader got errors besides the expected violations: %v", errs)
	}
}

// checkStrangersRefused checks that the server refuses a client with no credentials and one
// with a key it does not know.
func checkStrangersRefused(t *testing.T, url string) {
	t.Helper()
	t.Run("anonymous is refused", func(t *testing.T) {
		nc, err := nats.Connect(url, nats.Timeout(accessWait))
		if err == nil {
			nc.Close()
			t.Fatalf("anonymous nats.Connect(%q) = nil error; want an authorization violation", url)
		}
		if !strings.Contains(strings.ToLower(err.Error()), "authorization") {
			t.Errorf("anonymous nats.Connect(%q) = %v; want an authorization violation", url, err)
		}
	})
	t.Run("unknown key is refused", func(t *testing.T) {
		kp, err := nkeys.CreateUser()
		if err != nil {
			t.Fatal(err)
		}
		pub, _ := kp.PublicKey()
		nc, err := nats.Connect(url, nats.Timeout(accessWait), nats.Nkey(pub, kp.Sign))
		if err == nil {
			nc.Close()
			t.Fatalf("nats.Connect with a key the server does not know = nil error; want an authorization violation")
		}
	})
}

// checkServiceWrites checks what a service may do: keep the stream (which denies deletes and
// purges) and publish on its own subjects.
func checkServiceWrites(t *testing.T, ctx context.Context, fleet, directory *identityConn) {
	t.Helper()
	t.Run("a service keeps the stream, which denies deletes and purges", func(t *testing.T) {
		s, err := eventbus.EnsureStream(ctx, fleet.js, eventbus.StreamOptions{})
		if err != nil {
			t.Fatalf("EnsureStream as fleet: %v", err)
		}
		if c := s.CachedInfo().Config; !c.DenyDelete || !c.DenyPurge {
			t.Errorf("stream %s: DenyDelete %v, DenyPurge %v; want both true", eventbus.StreamName, c.DenyDelete, c.DenyPurge)
		}
	})
	t.Run("a service publishes on its own subjects", func(t *testing.T) {
		for _, c := range []struct {
			as      *identityConn
			subject string
		}{{fleet, "vif.fleet.v1.access_check.allowed"}, {directory, "vif.directory.v1.access_check.allowed"}} {
			msg := nats.NewMsg(c.subject)
			msg.Header.Set(jetstream.MsgIDHeader, nats.NewInbox()[len(nats.InboxPrefix):])
			if _, err := c.as.js.PublishMsg(ctx, msg, jetstream.WithExpectStream(eventbus.StreamName)); err != nil {
				t.Errorf("%s publishing on %s: %v; want it stored", c.as.name, c.subject, err)
			}
		}
	})
}

// checkForgeriesDenied checks that a service cannot publish on another service's subjects, nor
// the reader on any, through JetStream or core NATS.
func checkForgeriesDenied(t *testing.T, fleet, reader *identityConn) {
	t.Helper()
	t.Run("a service cannot publish on another service's subjects", func(t *testing.T) {
		for _, subject := range []string{"vif.directory.v1.access_check.forged", "vif.directory.v1.organisation.created"} {
			fleet.denied(t, subject, func(ctx context.Context) error {
				_, err := fleet.js.Publish(ctx, subject, []byte("forged"))
				return err
			})
		}
		fleet.deniedCore(t, "vif.funding.v1.access_check.forged")
	})
	t.Run("the reader cannot publish an event", func(t *testing.T) {
		for _, subject := range []string{"vif.fleet.v1.access_check.forged", "vif.fleet.v1.cession.handed_over"} {
			reader.denied(t, subject, func(ctx context.Context) error {
				_, err := reader.js.Publish(ctx, subject, []byte("forged"))
				return err
			})
		}
		reader.deniedCore(t, "vif.directory.v1.access_check.forged")
	})
}

// checkStreamKept checks that c can neither delete a message of the stream, purge it nor remove
// it, nor (when notOwner: the reader) change its configuration.
func checkStreamKept(t *testing.T, ctx context.Context, c *identityConn, notOwner bool) {
	stream, err := c.js.Stream(ctx, eventbus.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	c.denied(t, "$JS.API.STREAM.MSG.DELETE."+eventbus.StreamName, func(ctx context.Context) error {
		return stream.DeleteMsg(ctx, 1)
	})
	c.denied(t, "$JS.API.STREAM.PURGE."+eventbus.StreamName, func(ctx context.Context) error {
		return stream.Purge(ctx)
	})
	c.denied(t, "$JS.API.STREAM.DELETE."+eventbus.StreamName, func(ctx context.Context) error {
		return c.js.DeleteStream(ctx, eventbus.StreamName)
	})
	if notOwner {
		cfg := stream.CachedInfo().Config
		cfg.MaxAge = time.Second
		c.denied(t, "$JS.API.STREAM.UPDATE."+eventbus.StreamName, func(ctx context.Context) error {
			_, err := c.js.UpdateStream(ctx, cfg)
			return err
		})
	}
}

// checkReaderConsumes checks that the reader reads the stream through a durable consumer it
// acknowledges, and through a core subscription, an event fleet publishes.
func checkReaderConsumes(t *testing.T, ctx context.Context, reader, fleet *identityConn) {
	cons, err := reader.js.CreateOrUpdateConsumer(ctx, eventbus.StreamName, jetstream.ConsumerConfig{
		Durable: "access-check", FilterSubject: "vif.fleet.v1.access_check.allowed", AckPolicy: jetstream.AckExplicitPolicy,
	})
	if err != nil {
		t.Fatalf("reader creating a durable consumer: %v", err)
	}
	batch, err := cons.Fetch(1, jetstream.FetchMaxWait(accessWait))
	if err != nil {
		t.Fatal(err)
	}
	var got int
	for msg := range batch.Messages() {
		if err := msg.DoubleAck(ctx); err != nil {
			t.Errorf("reader acknowledging %s: %v", msg.Subject(), err)
		}
		got++
	}
	if got != 1 || batch.Error() != nil {
		t.Fatalf("reader fetched %d messages (%v); want 1", got, batch.Error())
	}
	info, err := cons.Info(ctx)
	if err != nil || info.AckFloor.Consumer != 1 {
		t.Errorf("consumer info after the ack = %+v, %v; want ack floor 1", info, err)
	}
	// A core subscription reads too, never writes.
	sub, err := reader.nc.SubscribeSync("vif.*.v1.access_check.>")
	if err != nil {
		t.Fatal(err)
	}
	if err := reader.nc.FlushTimeout(accessWait); err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if _, err := fleet.js.Publish(ctx, "vif.fleet.v1.access_check.core", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if msg, err := sub.NextMsg(accessWait); err != nil || msg.Subject != "vif.fleet.v1.access_check.core" {
		t.Errorf("reader's subscription: %v, %v; want the fleet's event", msg, err)
	}
}

// identityConn is a connection as one identity that records the asynchronous errors (permission
// violations) the server sends it.
type identityConn struct {
	name string
	nc   *nats.Conn
	js   jetstream.JetStream
	errs chan error
	seen []error
}

func dialAs(t *testing.T, url, identity, creds string) *identityConn {
	t.Helper()
	c := &identityConn{name: identity, errs: make(chan error, 64)}
	cred, err := eventbus.CredsOption(creds)
	if err != nil {
		t.Fatal(err)
	}
	c.nc, err = nats.Connect(url, cred, nats.Timeout(accessWait), nats.Name("access-check-"+identity),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			select {
			case c.errs <- err:
			default:
			}
		}))
	if err != nil {
		t.Fatalf("connect as %s: %v", identity, err)
	}
	t.Cleanup(c.nc.Close)
	if c.js, err = jetstream.New(c.nc); err != nil {
		t.Fatal(err)
	}
	return c
}

// denied runs call, which publishes on subject, and requires the server to refuse it with a
// permissions violation on that subject. The call gets no answer, so it is cut short once the
// violation has arrived.
func (c *identityConn) denied(t *testing.T, subject string, call func(context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), accessWait)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- call(ctx) }()
	violation := c.waitViolation(subject)
	cancel()
	if err := <-done; err == nil {
		t.Errorf("%s publishing on %s succeeded; want it refused", c.name, subject)
	}
	if !violation {
		t.Errorf("%s publishing on %s: no permissions violation from the server within %v", c.name, subject, accessWait)
	}
}

// deniedCore publishes on subject without JetStream, as anyone with a NATS client would, and
// requires a permissions violation.
func (c *identityConn) deniedCore(t *testing.T, subject string) {
	t.Helper()
	if err := c.nc.Publish(subject, []byte("forged")); err != nil {
		t.Fatal(err)
	}
	if !c.waitViolation(subject) {
		t.Errorf("%s publishing on %s: no permissions violation from the server within %v", c.name, subject, accessWait)
	}
}

func (c *identityConn) waitViolation(subject string) bool {
	want := `publish to "` + strings.ToLower(subject) + `"`
	deadline := time.After(accessWait)
	for {
		select {
		case err := <-c.errs:
			if strings.Contains(strings.ToLower(err.Error()), want) {
				return true
			}
			c.seen = append(c.seen, err)
		case <-deadline:
			return false
		}
	}
}

func (c *identityConn) unexpected() []error {
	for {
		select {
		case err := <-c.errs:
			c.seen = append(c.seen, err)
		default:
			return c.seen
		}
	}
}

func streamInfo(t *testing.T, ctx context.Context, js jetstream.JetStream, opts ...jetstream.StreamInfoOpt) *jetstream.StreamInfo {
	t.Helper()
	s, err := js.Stream(ctx, eventbus.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func firstSeq(t *testing.T, ctx context.Context, js jetstream.JetStream) uint64 {
	t.Helper()
	return streamInfo(t, ctx, js).State.FirstSeq
}

func subjectMsgs(t *testing.T, ctx context.Context, js jetstream.JetStream, filter string) uint64 {
	t.Helper()
	var n uint64
	for _, c := range streamInfo(t, ctx, js, jetstream.WithSubjectFilter(filter)).State.Subjects {
		n += c
	}
	return n
}

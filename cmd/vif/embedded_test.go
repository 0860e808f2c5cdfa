package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"

	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/eventbus/eventbustest"
	"github.com/vif71/vif/platform/grpcserver/grpctest"

	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
)

// seedWait bounds how long a test waits for the seed, which the services write in the background
// after start returns: long enough for a loaded 2-core CI machine under the race detector (a
// bound, not a measure; an idle machine seeds in about a second).
const seedWait = 2 * time.Minute

// startEmbedded runs the embedded default on random ports in dataDir until the test ends; edits
// change its settings.
func startEmbedded(t *testing.T, dataDir string, edits ...func(*settings)) (*instance, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := settings{
		dataDir: dataDir, httpAddr: "127.0.0.1:0", grpcAddr: "127.0.0.1:0", natsAddr: "127.0.0.1:0",
		seed: true, log: slog.New(slog.DiscardHandler),
	}
	for _, edit := range edits {
		edit(&s)
	}
	in, err := start(ctx, s)
	if err != nil {
		cancel()
		t.Fatalf("start: %v", err)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := in.wait(); err != nil {
			t.Errorf("embedded default stopped with %v", err)
		}
	}
	t.Cleanup(stop)
	return in, stop
}

// tokenFor runs `vif token` against dataDir, as a user would.
func tokenFor(t *testing.T, dataDir string, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), append([]string{"token", "--data-dir", dataDir}, args...), func(string) string { return "" }, &out); err != nil {
		t.Fatalf("vif token %v: %v", args, err)
	}
	return strings.TrimSpace(out.String())
}

type response struct {
	status int
	body   map[string]any
}

func call(t *testing.T, method, url, token, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var decoded map[string]any
	if err := json.Unmarshal(raw, &decoded); err != nil {
		t.Fatalf("%s %s: body is not JSON: %q", method, url, raw)
	}
	return response{status: resp.StatusCode, body: decoded}
}

// TestEmbeddedDefault drives the product as the README tells a new user to: REST through the
// gateway with tokens from `vif token`, events on the embedded NATS, and a restart that reuses
// the data.
func TestEmbeddedDefault(t *testing.T) {
	dataDir := t.TempDir()
	in, stop := startEmbedded(t, dataDir)
	base := "http://" + in.httpAddr
	admin := tokenFor(t, dataDir, "--role", "admin")
	reader := tokenFor(t, dataDir, "--role", "reader")

	// Outside subscribers read with the credentials `vif events credentials` points to.
	creds, err := nats.NkeyOptionFromSeed(readerCreds(t, dataDir))
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(in.natsURL, creds)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	events := make(chan *nats.Msg, 64)
	sub, err := nc.ChanSubscribe("vif.>", events)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	// Read the events from now on: the seed's own events keep coming while the calls below run,
	// and a subscription whose channel is full drops messages (slow consumer).
	createdEvent := waitFor(events, "vif.directory.v1.organisation.created", "organisations/cidff-71")

	if r := call(t, "GET", base+"/v1/networks", admin, ""); r.status != 200 || len(r.body["networks"].([]any)) != 13 {
		t.Fatalf("GET /v1/networks = %d %v; want 200 with 13 networks", r.status, r.body)
	}
	if r := call(t, "GET", base+"/v1/communes/71076", "", ""); r.status != 200 || r.body["network"] != "networks/chalonnais" {
		t.Errorf("GET /v1/communes/71076 = %d %v; want networks/chalonnais", r.status, r.body)
	}
	orgs := call(t, "GET", base+"/v1/organisations?pageSize=1000", "", "")
	seeded := orgs.body["totalSize"]

	body := `{"displayName":"CIDFF de Saône-et-Loire","kind":"ORGANISATION_KIND_ASSOCIATION","commune":"communes/71076"}`
	if r := call(t, "POST", base+"/v1/organisations", "", body); r.status != 401 {
		t.Errorf("POST without a token = %d; want 401", r.status)
	}
	if r := call(t, "POST", base+"/v1/organisations", reader, body); r.status != 403 {
		t.Errorf("POST as reader = %d; want 403", r.status)
	}
	if r := call(t, "POST", base+"/v1/organisations", admin, `{"displayName":"X","kind":"ORGANISATION_KIND_OTHER","siret":"73282932000075"}`); r.status != 400 {
		t.Errorf("POST with a bad SIRET = %d %v; want 400", r.status, r.body)
	}
	if r := call(t, "POST", base+"/v1/organisations", admin, `{"displayName":"X","kind":"ORGANISATION_KIND_OTHER","colour":"red"}`); r.status != 400 {
		t.Errorf("POST with an unknown field = %d %v; want 400", r.status, r.body)
	}
	created := call(t, "POST", base+"/v1/organisations?organisationId=cidff-71", admin, body)
	if created.status != 200 || created.body["name"] != "organisations/cidff-71" {
		t.Fatalf("POST /v1/organisations = %d %v", created.status, created.body)
	}
	etag := created.body["etag"].(string)
	patch := `{"address":"Chalon-sur-Saône","etag":` + jsonString(etag) + `}`
	if r := call(t, "PATCH", base+"/v1/organisations/cidff-71?updateMask=address", admin, patch); r.status != 200 {
		t.Errorf("PATCH = %d %v; want 200", r.status, r.body)
	}
	if r := call(t, "PATCH", base+"/v1/organisations/cidff-71?updateMask=address", admin, patch); r.status != 409 {
		t.Errorf("PATCH with the stale etag = %d %v; want 409", r.status, r.body)
	}

	select {
	case msg := <-createdEvent:
		if msg.Header.Get("ce-type") != "vif.directory.v1.organisation.created" || msg.Header.Get("Nats-Msg-Id") != msg.Header.Get("ce-id") {
			t.Errorf("event headers = %v; want ce-type and Nats-Msg-Id = ce-id", msg.Header)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no organisation.created event on NATS")
	}

	// The funding service seeds the article's three ISCG posts once the directory answers.
	var summary response
	if !grpctest.Within(seedWait, 50*time.Millisecond, func() bool {
		summary = call(t, "GET", base+"/v1/summaries/2024", reader, "")
		return summary.status == 200 && summary.body["postCount"] == float64(3)
	}) {
		t.Fatalf("GET /v1/summaries/2024 = %d %v; want the 3 seeded posts", summary.status, summary.body)
	}
	if summary.body["stateEffectiveShareBp"] != float64(3300) || summary.body["totalCostCents"] != "13500000" {
		t.Errorf("GET /v1/summaries/2024 = %v; want 33 %% of 13 500 000 cents", summary.body)
	}

	// A second start reuses the data: nothing seeded twice, the new organisation still there.
	stop()
	in, _ = startEmbedded(t, dataDir)
	base = "http://" + in.httpAddr
	again := call(t, "GET", base+"/v1/organisations?pageSize=1000", "", "")
	if got, want := again.body["totalSize"], seeded.(float64)+1; got != want {
		t.Errorf("organisations after restart = %v; want %v (no duplicate seed)", got, want)
	}
	reader = tokenFor(t, dataDir, "--role", "reader")
	if r := call(t, "GET", base+"/v1/organisations/cidff-71", reader, ""); r.status != 200 {
		t.Errorf("GET cidff-71 after restart = %d", r.status)
	}
	if r := call(t, "GET", base+"/v1/posts", reader, ""); r.status != 200 || r.body["totalSize"] != float64(3) {
		t.Errorf("GET /v1/posts after restart = %d %v; want the 3 posts, not seeded twice", r.status, r.body["totalSize"])
	}
}

// readerCreds runs `vif events credentials` against dataDir, as a user would, and returns the
// read-only credentials file it names first.
func readerCreds(t *testing.T, dataDir string) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"events", "credentials", "--data-dir", dataDir}, func(string) string { return "" }, &out); err != nil {
		t.Fatalf("vif events credentials: %v", err)
	}
	path, _, _ := strings.Cut(out.String(), "\n")
	if strings.Contains(out.String(), "SU") && strings.Contains(out.String(), seedOf(t, path)) {
		t.Errorf("vif events credentials printed a seed:\n%s", out.String())
	}
	return path
}

func seedOf(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("credentials file %q: %v", path, err)
	}
	return strings.TrimSpace(string(b))
}

// TestEmbeddedBusAcceptsOnlyTheSuite proves the access rules on the bus `vif serve` runs: nobody
// connects without credentials, the reader `vif events credentials` hands out consumes but never
// publishes, and no service publishes on another's subjects. events tail finds the reader's
// credentials in the data directory by itself.
func TestEmbeddedBusAcceptsOnlyTheSuite(t *testing.T) {
	dataDir := t.TempDir()
	in, _ := startEmbedded(t, dataDir)
	reader := readerCreds(t, dataDir)

	// Each service's relay publishes its seed's events with the service's own identity (checked
	// before CheckAccess, which publishes as fleet and directory).
	creds, err := nats.NkeyOptionFromSeed(reader)
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
	for _, svc := range eventbus.Services {
		pollTail(t, "events of the "+svc+" seed in the stream", func() bool {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			s, err := js.Stream(ctx, eventbus.StreamName)
			if err != nil {
				return false
			}
			info, err := s.Info(ctx, jetstream.WithSubjectFilter(eventbus.ServiceSubjects(svc)))
			return err == nil && len(info.State.Subjects) > 0
		})
	}
	eventbustest.CheckAccess(t, in.natsURL, func(id string) string {
		return filepath.Join(filepath.Dir(reader), id+".nk")
	})

	out := &tailOutput{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"events", "tail", "vif.directory.>", "--nats-url", in.natsURL, "--data-dir", dataDir, "--durable", "embedded"}, noEnv, out)
	}()
	pollTail(t, "tail to print the seed's directory events", func() bool { return len(out.lines()) > 0 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("events tail --data-dir %s: %v", dataDir, err)
	}
	if line := out.lines()[0]; !strings.Contains(line, " vif.directory.v1.") {
		t.Errorf("tail printed %q; want a directory event", line)
	}
}

// waitFor returns a channel that receives the first organisation.created event about name.
func waitFor(events <-chan *nats.Msg, subject, name string) <-chan *nats.Msg {
	out := make(chan *nats.Msg, 1)
	go func() {
		for msg := range events {
			var ev directoryv1.OrganisationCreated
			if msg.Subject == subject && proto.Unmarshal(msg.Data, &ev) == nil && ev.GetOrganisation().GetName() == name {
				out <- msg
				return
			}
		}
	}()
	return out
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestTokenRequiresAKnownRole(t *testing.T) {
	var out bytes.Buffer
	for _, args := range [][]string{{"token"}, {"token", "--role", "root"}, {"token", "--role", "coordinator"}} {
		args = append(args, "--data-dir", t.TempDir())
		if err := run(context.Background(), args, func(string) string { return "" }, &out); err == nil {
			t.Errorf("vif %v = nil error; want an error", args)
		}
	}
}

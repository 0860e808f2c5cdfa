package outbox_test

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/platform/storage/storagetest"
)

func TestCollectorReportsPendingEvents(t *testing.T) {
	ctx := context.Background()
	db := storagetest.SQLite(t)
	if err := storage.Migrate(ctx, db, outbox.Migrations, "goose_outbox"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			return outbox.Add(ctx, tx, outbox.Event{
				ID: outbox.NewID(), Subject: "vif.test.v1.thing.created", Source: "/vif/test",
				Time: time.Now(), Payload: wrapperspb.String("x"),
			})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// No JetStream: nothing is published, so all three stay pending.
	relay := outbox.NewRelay(db, nil, outbox.RelayOptions{})
	reg := prometheus.NewRegistry()
	reg.MustRegister(relay.Collector("test"))
	want := `
# HELP vif_outbox_pending_events Events written to a service's outbox and not yet acknowledged by JetStream.
# TYPE vif_outbox_pending_events gauge
vif_outbox_pending_events{service="test"} 3
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "vif_outbox_pending_events"); err != nil {
		t.Error(err)
	}
}

// The embedded default registers every service's collector in one registry.
func TestCollectorsOfSeveralServicesRegisterTogether(t *testing.T) {
	db := storagetest.SQLite(t)
	if err := storage.Migrate(context.Background(), db, outbox.Migrations, "goose_outbox"); err != nil {
		t.Fatal(err)
	}
	relay := outbox.NewRelay(db, nil, outbox.RelayOptions{})
	reg := prometheus.NewRegistry()
	for _, service := range []string{"directory", "fleet"} {
		if err := reg.Register(relay.Collector(service)); err != nil {
			t.Fatalf("Register(%s) = %v; want both services' gauges side by side", service, err)
		}
	}
	if n, err := testutil.GatherAndCount(reg, "vif_outbox_pending_events"); err != nil || n != 2 {
		t.Errorf("gathered %d series (%v); want one per service", n, err)
	}
}

// TestMetricsPageShowsPublishLagAndFailures scrapes a /metrics page, as Prometheus would, while
// the relay publishes, then while NATS is down: each published event is one observation of the
// commit -> publish lag, each failed attempt one more failure, and the lag of the events that
// waited out the outage covers the outage.
func TestMetricsPageShowsPublishLagAndFailures(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, f *fixture) {
		reg := prometheus.NewRegistry()
		reg.MustRegister(f.relay.Collector("fleet"))
		page := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		defer page.Close()
		sample := func(name string) float64 {
			t.Helper()
			return scrapeSample(t, page.URL, name+`{service="fleet"}`)
		}

		f.run(t)
		f.commit(t, events(3)...)
		f.waitPending(t, 0)
		if n := sample("vif_outbox_publish_lag_seconds_count"); n != 3 {
			t.Errorf("lag observations = %v; want 3, one per published event", n)
		}
		if n := sample("vif_outbox_publish_failures_total"); n != 0 {
			t.Errorf("failures = %v before any outage; want 0", n)
		}

		f.bus.Stop()
		f.commit(t, events(2)...)
		waitFor(t, "failed publish attempts on the page", func() bool { return sample("vif_outbox_publish_failures_total") >= 2 })
		if n := sample("vif_outbox_pending_events"); n != 2 {
			t.Errorf("pending during the outage = %v; want 2", n)
		}
		const outage = 300 * time.Millisecond
		time.Sleep(outage)
		f.bus.Restart()
		f.waitPending(t, 0)
		if n := sample("vif_outbox_publish_lag_seconds_count"); n != 5 {
			t.Errorf("lag observations = %v; want 5", n)
		}
		// The two events of the outage waited at least as long as it lasted.
		if fast := scrapeSample(t, page.URL, `vif_outbox_publish_lag_seconds_bucket{service="fleet",le="0.25"}`); fast > 3 {
			t.Errorf("%v events published within 250 ms; want only the 3 from before the outage", fast)
		}
	})
}

// scrapeSample GETs a Prometheus text page and returns the value of the sample named series
// (name and labels exactly as exposed), failing when it is absent.
func scrapeSample(t *testing.T, url, series string) float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("sample %s = %q: %v", series, v, err)
			}
			return f
		}
	}
	t.Fatalf("no sample %s on the page:\n%s", series, body)
	return 0
}

package outbox_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
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

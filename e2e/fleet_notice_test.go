package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
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

// TestHandoverNoticeFromARealHandover builds examples/handover-notice and runs it as its README
// says, against the NATS server the fleet service publishes to. A cession handed over through
// the fleet's API gets its notice, with what the handover recorded; the example acknowledges the
// event, and the seeded handovers have their notices too. Then it stops cleanly on SIGTERM.
func TestHandoverNoticeFromARealHandover(t *testing.T) {
	bin := t.TempDir()
	build(t, bin, "./examples/handover-notice")
	r := &fleetRun{fleetSuite: startFleetSuite(t, storagetest.SQLite(t), storagetest.SQLite(t))}
	r.waitForSeed(t)

	out := filepath.Join(t.TempDir(), "notices")
	notices := startProcess(t, "handover-notice", filepath.Join(bin, "handover-notice"), nil,
		"--nats-url", r.bus.URL, "--nats-creds", r.bus.Creds(eventbus.Reader), "--out", out)

	fleet := r.as(t, auth.RoleFleet, "")
	r.retiredVehicle(t, fleet, "notice-trafic", 1)
	const name = "cessions/notice-trafic-iscg"
	c, err := r.fleet.ProposeCession(fleet, &fleetv1.ProposeCessionRequest{CessionId: "notice-trafic-iscg", ProposeDate: day(2026, 1, 5),
		Cession: &fleetv1.Cession{Vehicle: "vehicles/notice-trafic", Beneficiary: "organisations/iscg-creusot-autun"}})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = r.fleet.ApproveCession(fleet, &fleetv1.ApproveCessionRequest{Name: name, ApproveDate: day(2026, 1, 10), Etag: c.GetEtag()}); err != nil {
		t.Fatal(err)
	}
	if _, err = r.fleet.HandOverCession(fleet, &fleetv1.HandOverCessionRequest{Name: name, Etag: c.GetEtag(), Handover: &fleetv1.Handover{
		HandoverDate: day(2026, 3, 1), Place: "Préfecture de Saône-et-Loire, Mâcon", OdometerKm: 98_250,
		CertificateReference: "CERFA-15776-2026-0001",
		Officials: []*fleetv1.Official{
			{DisplayName: "Louise Thin-Rouzaud", Title: "directrice de cabinet du Préfet de Saône-et-Loire"},
			{DisplayName: "Cécile Aladame", Title: "directrice de la Caf de Saône-et-Loire"},
		},
	}}); err != nil {
		t.Fatalf("HandOverCession(%s) = %v; want OK", name, err)
	}

	// The event the example must handle, and where it sits in the stream.
	var eventID string
	var seq uint64
	for _, msg := range r.streamed(t, "vif.fleet.v1.cession.handed_over") {
		var ev fleetv1.CessionChanged
		if proto.Unmarshal(msg.Data(), &ev) == nil && ev.GetCession().GetName() == name {
			meta, err := msg.Metadata()
			if err != nil {
				t.Fatal(err)
			}
			eventID, seq = msg.Headers().Get(eventbus.HeaderID), meta.Sequence.Stream
		}
	}
	if eventID == "" {
		t.Fatalf("no cession.handed_over event about %s in the stream", name)
	}

	path := filepath.Join(out, "notice-trafic-iscg.txt")
	grpctest.Eventually(t, 60*time.Second, func() bool {
		if _, err := os.Stat(path); err != nil {
			return false
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		cons, err := r.js.Consumer(ctx, eventbus.StreamName, "handover-notices")
		if err != nil {
			return false
		}
		info, err := cons.Info(ctx)
		return err == nil && info.AckFloor.Stream >= seq && info.NumAckPending == 0 && info.NumPending == 0
	}, "still waiting for the notice of %s written and its event acknowledged", name)
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Cession : " + name,
		"Véhicule : vehicles/notice-trafic",
		"Organisation bénéficiaire : organisations/iscg-creusot-autun (ISCG)",
		"Date de la remise : 1er mars 2026",
		"Lieu de la remise : Préfecture de Saône-et-Loire, Mâcon",
		"Kilométrage au compteur : 98 250 km",
		"  - Louise Thin-Rouzaud, directrice de cabinet du Préfet de Saône-et-Loire",
		"  - Cécile Aladame, directrice de la Caf de Saône-et-Loire",
		"Certificat de cession (cerfa n° 15776) : CERFA-15776-2026-0001",
		"au plus tard le 16 mars 2026", // 1 March + 15 days
		"d'après l'événement " + eventID,
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("notice %s lacks %q:\n%s", path, want, text)
		}
	}

	// The program started from the oldest handover: the 17 seeded ones have their notices too.
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var written []string
	for _, e := range entries {
		written = append(written, e.Name())
	}
	notice := func(name string) bool { return strings.HasPrefix(name, "caf71-") || name == "notice-trafic-iscg.txt" }
	if len(written) != seededCessions+1 || !allOf(written, func(n string) bool { return notice(n) && strings.HasSuffix(n, ".txt") }) {
		t.Errorf("%s holds %q; want %d notices, the seeded handovers' and ours", out, written, seededCessions+1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cons, err := r.js.Consumer(ctx, eventbus.StreamName, "handover-notices")
	if err != nil {
		t.Fatal(err)
	}
	if info, err := cons.Info(ctx); err != nil || info.NumRedelivered != 0 || info.Config.FilterSubject != "vif.fleet.v1.cession.handed_over" ||
		info.Config.AckPolicy != jetstream.AckExplicitPolicy {
		t.Errorf("consumer handover-notices = %+v, %v; want explicit acks on handed_over only, nothing redelivered", info, err)
	}
	if err := notices.stop(); err != nil {
		t.Errorf("handover-notice did not stop cleanly on SIGTERM: %v\n%s", err, notices.logs())
	}
}

// allOf reports whether every element of s satisfies ok.
func allOf(s []string, ok func(string) bool) bool {
	for _, v := range s {
		if !ok(v) {
			return false
		}
	}
	return true
}

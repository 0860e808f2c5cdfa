package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/vif71/vif/platform/benchload"
	"github.com/vif71/vif/platform/storage/storagetest"
	"github.com/vif71/vif/services/directory/internal/adapters/grpcapi"
)

// inFlight is the concurrency of BenchmarkCreateOrganisation16, as cmd/vif's.
const inFlight = 16

// BenchmarkCreateOrganisation16 is the directory's write with its event at the store, 16 in
// flight, on each engine storagetest offers (PostgreSQL when VIF_TEST_POSTGRES_DSN is set): an
// organisation and its OrganisationCreated in the outbox, in one transaction, what the service
// writes once the edge has checked the call; against its floor in the same database, one
// transaction inserting a row and an outbox row (benchload.WriteFloor). The two alternate in
// rounds. No relay runs: cmd/vif's BenchmarkCreateOrganisation16 is the whole call, relay
// included, on the embedded default.
func BenchmarkCreateOrganisation16(b *testing.B) {
	for _, d := range storagetest.Databases(b) {
		// One fixture and one sequence across the runs of b.Run's function (one per b.N tried),
		// which share the database: the ids they give stay new.
		f := newFixture(b, d.DB)
		var seq atomic.Int64
		b.Run(d.Name, func(b *testing.B) {
			ctx := context.Background()
			sample := f.org("sample")
			ev, err := grpcapi.EncodeEvent(f.orgCreated(sample))
			if err != nil {
				b.Fatal(err)
			}
			payload, err := proto.Marshal(ev.Payload)
			if err != nil {
				b.Fatal(err)
			}
			floor := benchload.WriteFloor(b, d.DB, payload)
			b.ResetTimer()
			rates := benchload.Interleaved(b, max(b.N, inFlight), inFlight, func() error {
				o := f.org(fmt.Sprintf("bench-%d", seq.Add(1)))
				_, _, err := f.repo.CreateOrganisation(ctx, o, f.orgCreated(o))
				return err
			}, func() error { return floor(ctx, seq.Add(1)) })
			b.ReportMetric(rates[0], "create/s")
			b.ReportMetric(rates[1], "floor/s")
			b.ReportMetric(rates[0]/rates[1], "create/floor")
		})
	}
}

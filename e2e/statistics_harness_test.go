package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/grpcserver/grpctest"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/service"
	"github.com/vif71/vif/platform/storage"
	statisticsv1 "github.com/vif71/vif/proto/gen/go/vif/statistics/v1"
	"github.com/vif71/vif/services/statistics"
)

// statsSuite is the directory and the statistics service in one harness (see startHarness), the
// statistics seed in the background.
type statsSuite struct {
	*harness
	stats statisticsv1.StatisticsServiceClient
	relay *outbox.Relay
}

func startStatsSuite(t *testing.T, directoryDB, statsDB *storage.DB) *statsSuite {
	t.Helper()
	s := &statsSuite{}
	s.harness = startHarness(t, directoryDB, func(ctx context.Context, env hostEnv) (hosted, error) {
		stats, err := statistics.New(ctx, statistics.Config{Config: service.Config{DB: statsDB, JetStream: env.js, Directory: env.directory, Logger: env.log, Seed: true, Relay: env.relay}})
		if err != nil {
			return hosted{}, err
		}
		s.relay = stats.Relay
		return hosted{grpc: stats.GRPC, background: stats.Background}, nil
	})
	s.stats = statisticsv1.NewStatisticsServiceClient(s.Conn)
	return s
}

// as returns a context carrying a bearer token with claims, to which it adds a subject naming the
// role and the network. It hides the harness's as, which takes a role.
func (s *statsSuite) as(t *testing.T, c auth.Claims) context.Context {
	t.Helper()
	c.RegisteredClaims = jwt.RegisteredClaims{Subject: "e2e-" + string(c.Role) + "-" + c.Network}
	return s.As(t, c)
}

// waitForSeed polls, bounded, until the seed's last year is visible: it runs in the background
// and waits for the directory.
func (s *statsSuite) waitForSeed(t *testing.T) {
	t.Helper()
	var n *statisticsv1.ListNationalFiguresResponse
	var err error
	if !grpctest.Within(60*time.Second, 100*time.Millisecond, func() bool {
		n, err = s.stats.ListNationalFigures(context.Background(), &statisticsv1.ListNationalFiguresRequest{})
		return err == nil && n.GetTotalSize() == 2
	}) {
		t.Fatalf("statistics seed not done after 60 s: %d national figures (%v)", n.GetTotalSize(), err)
	}
}

// lastEvent returns the last message the stream holds on subject, or nil, once the statistics
// outbox holds no unsent event.
func (s *statsSuite) lastEvent(t *testing.T, subject string) *jetstream.RawStreamMsg {
	t.Helper()
	waitRelayed(t, "statistics", s.relay)
	return s.lastMessage(t, subject)
}

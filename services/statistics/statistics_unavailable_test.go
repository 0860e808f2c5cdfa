package statistics_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/eventbus/eventbustest"
	"github.com/vif71/vif/platform/grpcserver"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/service"
	"github.com/vif71/vif/platform/storage/storagetest"
	statisticsv1 "github.com/vif71/vif/proto/gen/go/vif/statistics/v1"
	"github.com/vif71/vif/services/statistics"
)

// TestSubmitStopsWhenTheDirectoryIsUnavailable runs the statistics service alone, its directory
// connection pointing at a closed port: a submission fails with Unavailable and the reason
// DIRECTORY_UNAVAILABLE, and leaves nothing behind, neither the report nor its event.
func TestSubmitStopsWhenTheDirectoryIsUnavailable(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	db := storagetest.SQLite(t)
	js := eventbustest.Start(t).JetStream(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	dir, err := grpc.NewClient(closed, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	svc, err := statistics.New(ctx, statistics.Config{Config: service.Config{DB: db, JetStream: js, Directory: dir, Logger: log,
		Relay: outbox.RelayOptions{PollInterval: 50 * time.Millisecond}}})
	if err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	srv, err := grpcserver.New(grpcserver.Options{Logger: log, Verifier: auth.Verifier{Key: key.Public().(ed25519.PublicKey)}, Services: []grpcserver.Service{svc.GRPC}})
	if err != nil {
		t.Fatal(err)
	}
	lis := bufconn.Listen(1 << 20)
	var wg sync.WaitGroup
	wg.Go(func() { _ = srv.Serve(ctx, lis, nil) })
	conn, err := grpc.NewClient("passthrough:///bufnet", grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(); cancel(); wg.Wait(); dir.Close() })

	tok, err := auth.Issuer{Key: key}.Issue(auth.Claims{Role: auth.RoleAdmin, RegisteredClaims: jwt.RegisteredClaims{Subject: "t"}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	admin := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tok)
	client := statisticsv1.NewStatisticsServiceClient(conn)
	_, err = client.SubmitReport(admin, &statisticsv1.SubmitReportRequest{Parent: "networks/chalonnais", Period: "2024", Counts: &statisticsv1.ReportCounts{VictimsSupported: 12}})
	st := status.Convert(err)
	var reason string
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			reason = info.GetReason()
		}
	}
	if st.Code() != codes.Unavailable || reason != "DIRECTORY_UNAVAILABLE" {
		t.Fatalf("SubmitReport with the directory down = %v (reason %q); want Unavailable, DIRECTORY_UNAVAILABLE", err, reason)
	}
	_, err = client.GetReport(admin, &statisticsv1.GetReportRequest{Name: "networks/chalonnais/reports/2024"})
	if status.Code(err) != codes.NotFound {
		t.Errorf("GetReport after the failed submission = %v; want NotFound", err)
	}
	if n, err := svc.Relay.Pending(context.Background()); err != nil || n != 0 {
		t.Errorf("outbox holds %d events (%v); want none", n, err)
	}
	_, err = client.QuerySeries(context.Background(), &statisticsv1.QuerySeriesRequest{Scope: "networks/-", Granularity: statisticsv1.Granularity_GRANULARITY_YEAR, StartPeriod: "2024", EndPeriod: "2024"})
	if status.Code(err) != codes.Unavailable {
		t.Errorf("QuerySeries with the directory down = %v; want Unavailable", err)
	}
}

package statistics_test

import (
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/eventbus/eventbustest"
	"github.com/vif71/vif/platform/grpcserver"
	"github.com/vif71/vif/platform/grpcserver/grpctest"
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
	t.Cleanup(func() { dir.Close() })
	svc, err := statistics.New(context.Background(), statistics.Config{Config: service.Config{DB: db, JetStream: js, Directory: dir, Logger: slog.New(slog.DiscardHandler),
		Relay: outbox.RelayOptions{PollInterval: 50 * time.Millisecond}}})
	if err != nil {
		t.Fatal(err)
	}
	// No background work: the relay would empty the outbox this test reads.
	srv := grpctest.Start(t, []grpcserver.Service{svc.GRPC})
	admin := srv.Role(t, auth.RoleAdmin)
	client := statisticsv1.NewStatisticsServiceClient(srv.Conn)
	_, err = client.SubmitReport(admin, &statisticsv1.SubmitReportRequest{Parent: "networks/chalonnais", Period: "2024", Counts: &statisticsv1.ReportCounts{VictimsSupported: 12}})
	if status.Code(err) != codes.Unavailable || grpctest.Reason(err) != "DIRECTORY_UNAVAILABLE" {
		t.Fatalf("SubmitReport with the directory down = %v (reason %q); want Unavailable, DIRECTORY_UNAVAILABLE", err, grpctest.Reason(err))
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

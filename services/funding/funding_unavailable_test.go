package funding_test

import (
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/eventbus/eventbustest"
	"github.com/vif71/vif/platform/grpcserver"
	"github.com/vif71/vif/platform/grpcserver/grpctest"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage/storagetest"
	fundingv1 "github.com/vif71/vif/proto/gen/go/vif/funding/v1"
	"github.com/vif71/vif/services/funding"
)

// closedAddr returns a local address nobody listens on: a port the kernel just handed out and
// took back.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestWritesStopWhenTheDirectoryIsUnavailable runs the funding service alone, its directory
// connection pointing at a closed port: the writes that need the directory fail with Unavailable
// and the reason DIRECTORY_UNAVAILABLE, and leave nothing behind, neither the resource nor its
// event in the outbox.
func TestWritesStopWhenTheDirectoryIsUnavailable(t *testing.T) {
	db := storagetest.SQLite(t)
	js := eventbustest.Start(t).JetStream(t)
	dir, err := grpc.NewClient(closedAddr(t), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dir.Close() })
	svc, err := funding.New(context.Background(), funding.Config{
		DB: db, JetStream: js, Directory: dir, Logger: slog.New(slog.DiscardHandler),
		Relay: outbox.RelayOptions{PollInterval: 50 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := grpctest.Start(t, []grpcserver.Service{svc.GRPC}, svc.Background...)
	client := fundingv1.NewFundingServiceClient(srv.Conn)
	admin := srv.Role(t, auth.RoleAdmin)

	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"CreatePost", func() error {
			_, err := client.CreatePost(admin, &fundingv1.CreatePostRequest{Post: &fundingv1.Post{
				DisplayName: "ISCG du Louhannais", Network: "networks/louhannais", HostOrganisation: "organisations/gendarmerie-louhans",
				FteThousandths: 1000, StartDate: &date.Date{Year: 2024, Month: 1, Day: 1},
			}})
			return err
		}},
		{"CreateFunder(organisation)", func() error {
			_, err := client.CreateFunder(admin, &fundingv1.CreateFunderRequest{Funder: &fundingv1.Funder{
				DisplayName: "Fondation", Kind: fundingv1.FunderKind_FUNDER_KIND_OTHER, Organisation: "organisations/fondation-71",
			}})
			return err
		}},
		{"CreateFunder(EPCI)", func() error {
			_, err := client.CreateFunder(admin, &fundingv1.CreateFunderRequest{Funder: &fundingv1.Funder{
				DisplayName: "CC Bresse Louhannaise Intercom'", Kind: fundingv1.FunderKind_FUNDER_KIND_EPCI, Epci: "epcis/200071579",
			}})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			grpctest.WantStatus(t, tc.call(), codes.Unavailable, "DIRECTORY_UNAVAILABLE", "")
		})
	}

	posts, err := client.ListPosts(admin, &fundingv1.ListPostsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	funders, err := client.ListFunders(admin, &fundingv1.ListFundersRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if posts.GetTotalSize() != 0 || funders.GetTotalSize() != 0 {
		t.Errorf("after the refused writes: %d posts, %d funders; want none", posts.GetTotalSize(), funders.GetTotalSize())
	}
	var events int
	if err := db.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM outbox").Scan(&events); err != nil {
		t.Fatal(err)
	}
	if events != 0 {
		t.Errorf("outbox holds %d events after the refused writes; want 0", events)
	}
}

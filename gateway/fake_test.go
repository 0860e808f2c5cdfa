package gateway

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"

	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
)

// fakeDirectory is a directory service with canned answers that records the metadata of the
// calls it gets.
type fakeDirectory struct {
	directoryv1.UnimplementedDirectoryServiceServer

	mu      sync.Mutex
	creates int
	lastMD  metadata.MD
}

func (f *fakeDirectory) record(ctx context.Context) {
	md, _ := metadata.FromIncomingContext(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastMD = md.Copy()
}

func (f *fakeDirectory) metadata() metadata.MD {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lastMD
}

func (f *fakeDirectory) createCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.creates
}

func statusWith(c codes.Code, reason, msg string, more ...protoadapt.MessageV1) error {
	details := append([]protoadapt.MessageV1{&errdetails.ErrorInfo{Reason: reason, Domain: "vif.gouv.fr"}}, more...)
	st, err := status.New(c, msg).WithDetails(details...)
	if err != nil {
		panic(err)
	}
	return st.Err()
}

func (f *fakeDirectory) GetNetwork(ctx context.Context, req *directoryv1.GetNetworkRequest) (*directoryv1.Network, error) {
	f.record(ctx)
	if req.GetName() == "networks/database-down" { // what a service answers while its database is down
		return nil, statusWith(codes.Unavailable, "DATABASE_UNAVAILABLE", "the database is unavailable; retry later",
			&errdetails.RetryInfo{RetryDelay: durationpb.New(2500 * time.Millisecond)})
	}
	if req.GetName() != "networks/chalonnais" {
		return nil, statusWith(codes.NotFound, "NETWORK_NOT_FOUND", "network "+req.GetName()+" not found")
	}
	return &directoryv1.Network{
		Name:         "networks/chalonnais",
		DisplayName:  "Réseau VIF du Chalonnais",
		Territory:    "Grand Chalon",
		CommuneCount: 51,
		Population:   113000,
	}, nil
}

// ListNetworks never answers: it waits for the call's deadline.
func (f *fakeDirectory) ListNetworks(ctx context.Context, _ *directoryv1.ListNetworksRequest) (*directoryv1.ListNetworksResponse, error) {
	<-ctx.Done()
	return nil, status.FromContextError(ctx.Err()).Err()
}

func (f *fakeDirectory) CreateOrganisation(ctx context.Context, req *directoryv1.CreateOrganisationRequest) (*directoryv1.Organisation, error) {
	f.record(ctx)
	f.mu.Lock()
	f.creates++
	f.mu.Unlock()
	if req.GetOrganisation().GetDisplayName() == "" {
		return nil, statusWith(codes.InvalidArgument, "INVALID_ARGUMENT", "organisation.display_name: value is required",
			&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{
				Field:       "organisation.display_name",
				Description: "value is required",
			}}})
	}
	org := proto.CloneOf(req.GetOrganisation())
	org.Name = "organisations/" + req.GetOrganisationId()
	return org, nil
}

func (f *fakeDirectory) GetOrganisation(ctx context.Context, req *directoryv1.GetOrganisationRequest) (*directoryv1.Organisation, error) {
	f.record(ctx)
	if md, _ := metadata.FromIncomingContext(ctx); len(md.Get("authorization")) == 0 {
		return nil, statusWith(codes.Unauthenticated, "UNAUTHENTICATED", "missing bearer token")
	}
	return nil, statusWith(codes.NotFound, "ORGANISATION_NOT_FOUND", "organisation "+req.GetName()+" not found")
}

func (f *fakeDirectory) UpdateOrganisation(ctx context.Context, _ *directoryv1.UpdateOrganisationRequest) (*directoryv1.Organisation, error) {
	f.record(ctx)
	return nil, statusWith(codes.FailedPrecondition, "ETAG_MISMATCH", "the organisation changed since it was read")
}

// backend is a real gRPC server on a loopback port with the fake directory and health.
type backend struct {
	addr   string
	dir    *fakeDirectory
	health *health.Server
}

const directoryService = "vif.directory.v1.DirectoryService"

func startBackend(t testing.TB) *backend {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	b := &backend{addr: lis.Addr().String(), dir: &fakeDirectory{}, health: health.NewServer()}
	directoryv1.RegisterDirectoryServiceServer(srv, b.dir)
	healthpb.RegisterHealthServer(srv, b.health)
	b.health.SetServingStatus(directoryService, healthpb.HealthCheckResponse_SERVING)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return b
}

func directoryBackend(addr string) Backend {
	return Backend{
		Name:     "directory",
		Addr:     addr,
		Service:  directoryService,
		Register: directoryv1.RegisterDirectoryServiceHandler,
	}
}

// syncBuffer is a log sink the handlers may write to from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// gatewayEnv is a gateway over httptest in front of a backend.
type gatewayEnv struct {
	url     string
	backend *backend
	logs    *syncBuffer
}

// newGateway starts a backend and a gateway in front of it; edit adjusts the options.
func newGateway(t testing.TB, edit func(*Options)) *gatewayEnv {
	t.Helper()
	b := startBackend(t)
	logs := &syncBuffer{}
	o := Options{
		Backends:     []Backend{directoryBackend(b.addr)},
		Logger:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		MaxBodyBytes: 1024,
	}
	if edit != nil {
		edit(&o)
	}
	h, closeConns, err := Handler(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		closeConns()
	})
	return &gatewayEnv{url: srv.URL, backend: b, logs: logs}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

package main

// The hot paths of the embedded default (issue 14), each timed next to its floor in the same run:
//
//	make bench                                     # all of them
//	go test -run '^$' -bench . -benchtime 2000x ./cmd/vif/
//
// Each benchmark reports its figures with b.ReportMetric (µs for a p50, /s for a throughput) and
// the ratio to its floor; ns/op is the time of one iteration, which does one call of each kind.
// The embedded default is the one a user runs (`go run ./cmd/vif`): SQLite, the gateway, NATS,
// the full interceptor chain, logging at info level into a discarded handler.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	"github.com/vif71/vif/platform/benchload"
	"github.com/vif71/vif/platform/grpcserver/grpctest"
	"github.com/vif71/vif/platform/outbox"
	"github.com/vif71/vif/platform/storage"
	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
)

// inFlight is the concurrency of the throughput benchmarks.
const inFlight = 16

// benchEnv is one embedded default shared by every benchmark of the run, with a bare gRPC server
// beside it: the floor, an empty unary call (Health/Check, no interceptor); and a bare HTTP/1.1
// server, the floor of the REST calls: a GET answered with a fixed JSON body by net/http alone,
// through the same client.
type benchEnv struct {
	in       *instance
	dataDir  string
	admin    string // a bearer token of the admin role
	conn     *grpc.ClientConn
	dir      directoryv1.DirectoryServiceClient
	floor    healthpb.HealthClient
	http     *http.Client
	restBase string
	bareBase string // the bare HTTP server's
}

var (
	benchOnce  sync.Once
	benchShare *benchEnv
	benchErr   error
	benchStop  func()
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchStop != nil {
		benchStop()
	}
	os.Exit(code)
}

func bench(b *testing.B) *benchEnv {
	b.Helper()
	benchOnce.Do(func() { benchShare, benchErr = newBenchEnv() })
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchShare
}

func newBenchEnv() (*benchEnv, error) {
	dataDir, err := os.MkdirTemp("", "vif-bench-")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	var stops []func()
	benchStop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
		cancel()
		os.RemoveAll(dataDir)
	}
	// Info level, as `vif serve` logs, into a handler that keeps nothing: the cost of building
	// each line is counted, not the terminal's.
	seeded := &seedCounter{n: new(atomic.Int64), Handler: slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})}
	log := slog.New(seeded)
	in, err := start(ctx, settings{
		dataDir: dataDir, httpAddr: "127.0.0.1:0", grpcAddr: "127.0.0.1:0", natsAddr: "127.0.0.1:0",
		seed: true, log: log,
	})
	if err != nil {
		return nil, err
	}
	stops = append(stops, func() { cancel(); _ = in.wait() })
	// The seeds of funding, fleet and statistics run in the background on the first start (the
	// directory's is done by then): the figures are taken once they are done, not beside them.
	if !grpctest.Within(2*time.Minute, 50*time.Millisecond, func() bool { return seeded.n.Load() >= 3 }) {
		return nil, fmt.Errorf("%d of the 3 background seeds done after 2 minutes", seeded.n.Load())
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"token", "--data-dir", dataDir, "--role", "admin"}, noEnv, &out); err != nil {
		return nil, err
	}
	conn, err := grpc.NewClient(in.grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	stops = append(stops, func() { conn.Close() })

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	bare := grpc.NewServer()
	healthpb.RegisterHealthServer(bare, health.NewServer())
	go func() { _ = bare.Serve(lis) }()
	stops = append(stops, bare.Stop)
	floorConn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	stops = append(stops, func() { floorConn.Close() })
	bareBase, stopBare, err := bareHTTP()
	if err != nil {
		return nil, err
	}
	stops = append(stops, stopBare)

	e := &benchEnv{
		in: in, dataDir: dataDir, admin: strings.TrimSpace(out.String()), conn: conn,
		dir: directoryv1.NewDirectoryServiceClient(conn), floor: healthpb.NewHealthClient(floorConn),
		http:     &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * inFlight}},
		restBase: "http://" + in.httpAddr, bareBase: bareBase,
	}
	// Warm every path (connections, the first token verification, SQLite's page cache).
	for range 200 {
		if err := errorsOf(e.getNetwork(ctx, ""), e.getNetwork(ctx, e.admin), e.restGetNetwork(), e.empty(ctx), e.bareGet()); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// seedCounter counts the services that logged their seed done.
type seedCounter struct {
	slog.Handler
	n *atomic.Int64
}

func (h *seedCounter) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "seeded the default data set" {
		h.n.Add(1)
	}
	return h.Handler.Handle(ctx, r)
}

func (h *seedCounter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &seedCounter{Handler: h.Handler.WithAttrs(attrs), n: h.n}
}

func (h *seedCounter) WithGroup(name string) slog.Handler {
	return &seedCounter{Handler: h.Handler.WithGroup(name), n: h.n}
}

func errorsOf(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (e *benchEnv) getNetwork(ctx context.Context, token string) error {
	if token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	n, err := e.dir.GetNetwork(ctx, &directoryv1.GetNetworkRequest{Name: "networks/chalonnais"})
	if err == nil && n.GetName() != "networks/chalonnais" {
		err = fmt.Errorf("GetNetwork = %v", n)
	}
	return err
}

func (e *benchEnv) empty(ctx context.Context) error {
	_, err := e.floor.Check(ctx, &healthpb.HealthCheckRequest{})
	return err
}

func (e *benchEnv) restGetNetwork() error {
	return e.get(e.restBase+"/v1/networks/chalonnais", func(body []byte) bool {
		return bytes.Contains(body, []byte(`"networks/chalonnais"`))
	})
}

// get is a GET of url, read whole, that fails unless it is a 200 whose body ok accepts.
func (e *benchEnv) get(url string, ok func(body []byte) bool) error {
	resp, err := e.http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && (resp.StatusCode != 200 || !ok(body)) {
		err = fmt.Errorf("GET %s = %d %s", url, resp.StatusCode, body)
	}
	return err
}

// bareBody is what the bare HTTP server answers: about the size of GetNetwork's JSON.
var bareBody = []byte(`{"name":"networks/chalonnais","displayName":"Réseau VIF du Chalonnais","communes":["71076","71270","71445"],"etag":"W/\"0123456789abcdef\""}`)

// bareHTTP starts the bare HTTP/1.1 server and returns its base URL and its stop.
func bareHTTP() (string, func(), error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(bareBody)
	})}
	go func() { _ = srv.Serve(lis) }()
	return "http://" + lis.Addr().String(), func() { srv.Close() }, nil
}

// bareGet is the REST floor: a GET on the bare HTTP server, read whole.
func (e *benchEnv) bareGet() error {
	return e.get(e.bareBase+"/v1/networks/chalonnais", func(body []byte) bool { return bytes.Equal(body, bareBody) })
}

// latencies times each of calls once per iteration, interleaved so that they share the noise
// of the machine, and returns their durations, by call. Each iteration takes the calls in a new
// random order: a call leaves work behind it that the next call pays for (a gRPC call more than
// an HTTP/1.1 one), and in a fixed order the same kind would always pay for the same other kind
// (REST right after the empty gRPC unary measured 1.69× gRPC, after another HTTP call 1.13×).
func latencies(b *testing.B, calls ...func() error) [][]time.Duration {
	b.Helper()
	out := make([][]time.Duration, len(calls))
	order := make([]int, len(calls))
	for i := range out {
		out[i] = make([]time.Duration, 0, b.N)
		order[i] = i
	}
	for b.Loop() {
		rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			start := time.Now()
			if err := calls[i](); err != nil {
				b.Fatal(err)
			}
			out[i] = append(out[i], time.Since(start))
		}
	}
	return out
}

func p50(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func micros(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }

// BenchmarkGetNetworkP50 is the first two rows of the table: GetNetwork over gRPC,
// sequential, anonymous and with a bearer token, against an empty gRPC unary call.
func BenchmarkGetNetworkP50(b *testing.B) {
	e := bench(b)
	ctx := context.Background()
	d := latencies(b,
		func() error { return e.getNetwork(ctx, "") },
		func() error { return e.getNetwork(ctx, e.admin) },
		func() error { return e.empty(ctx) })
	anon, token, floor := p50(d[0]), p50(d[1]), p50(d[2])
	b.ReportMetric(micros(anon), "anon-p50-µs")
	b.ReportMetric(micros(token), "token-p50-µs")
	b.ReportMetric(micros(floor), "floor-p50-µs")
	b.ReportMetric(float64(anon)/float64(floor), "anon/floor")
	b.ReportMetric(float64(token)/float64(floor), "token/floor")
}

// BenchmarkRESTvsGRPCP50 is GetNetwork through the gateway (GET /v1/networks/chalonnais) against
// the same call over gRPC, sequential; beside them, the two transports' floors: a GET on the bare
// HTTP/1.1 server and the empty gRPC unary, so that what HTTP/1.1 itself costs against gRPC
// (http-floor/grpc-floor) reads apart from what the gateway adds (rest/http-floor).
func BenchmarkRESTvsGRPCP50(b *testing.B) {
	e := bench(b)
	ctx := context.Background()
	d := latencies(b, e.restGetNetwork, func() error { return e.getNetwork(ctx, "") }, e.bareGet,
		func() error { return e.empty(ctx) })
	rest, grpc, httpFloor, grpcFloor := p50(d[0]), p50(d[1]), p50(d[2]), p50(d[3])
	b.ReportMetric(micros(rest), "rest-p50-µs")
	b.ReportMetric(micros(grpc), "grpc-p50-µs")
	b.ReportMetric(micros(httpFloor), "http-floor-p50-µs")
	b.ReportMetric(micros(grpcFloor), "grpc-floor-p50-µs")
	b.ReportMetric(float64(rest)/float64(grpc), "rest/grpc")
	b.ReportMetric(float64(rest)/float64(httpFloor), "rest/http-floor")
	b.ReportMetric(float64(httpFloor)/float64(grpcFloor), "http-floor/grpc-floor")
}

// BenchmarkThroughput16 is GetNetwork with 16 calls in flight: REST, gRPC anonymous, gRPC with a
// token, the empty gRPC unary and the bare HTTP GET (the two transports' floors), interleaved in
// rounds. An iteration is one call of each kind.
func BenchmarkThroughput16(b *testing.B) {
	e := bench(b)
	ctx := context.Background()
	n := max(b.N, inFlight)
	b.ResetTimer()
	rates := benchload.Interleaved(b, n, inFlight,
		func() error { return e.getNetwork(ctx, "") },
		func() error { return e.getNetwork(ctx, e.admin) },
		e.restGetNetwork,
		func() error { return e.empty(ctx) },
		e.bareGet)
	grpcAnon, grpcToken, rest, floor, httpFloor := rates[0], rates[1], rates[2], rates[3], rates[4]
	b.ReportMetric(grpcAnon, "grpc/s")
	b.ReportMetric(grpcToken, "grpc-token/s")
	b.ReportMetric(rest, "rest/s")
	b.ReportMetric(floor, "floor/s")
	b.ReportMetric(httpFloor, "http-floor/s")
	b.ReportMetric(rest/grpcAnon, "rest/grpc")
	b.ReportMetric(rest/httpFloor, "rest/http-floor")
	b.ReportMetric(httpFloor/floor, "http-floor/grpc-floor")
	b.ReportMetric(grpcToken/grpcAnon, "token/anon")
}

// BenchmarkCreateOrganisation16 is CreateOrganisation over gRPC (admin token, the organisation
// written with its outbox event, the relay publishing) with 16 in flight, against its floor: one
// transaction inserting a row and an outbox row into a SQLite file opened the same way. The two
// alternate in rounds, so that they share the machine's noise.
func BenchmarkCreateOrganisation16(b *testing.B) {
	e := bench(b)
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+e.admin)
	n := max(b.N, inFlight)
	var seq atomic.Int64
	runID := time.Now().UnixNano()
	payload, _ := proto.Marshal(&directoryv1.OrganisationCreated{Organisation: &directoryv1.Organisation{
		Name: "organisations/bench", DisplayName: "Association", Kind: directoryv1.OrganisationKind_ORGANISATION_KIND_ASSOCIATION, Commune: "communes/71076",
	}})
	floor := rawWriteFloor(b, payload)
	b.ResetTimer()
	rates := benchload.Interleaved(b, n, inFlight, func() error {
		i := seq.Add(1)
		_, err := e.dir.CreateOrganisation(ctx, &directoryv1.CreateOrganisationRequest{
			OrganisationId: fmt.Sprintf("bench-%x-%d", runID, i),
			Organisation: &directoryv1.Organisation{
				DisplayName: fmt.Sprintf("Association %d", i),
				Kind:        directoryv1.OrganisationKind_ORGANISATION_KIND_ASSOCIATION,
				Commune:     "communes/71076",
			},
		})
		return err
	}, func() error { return floor(ctx, seq.Add(1)) })
	vif, floorRate := rates[0], rates[1]
	b.ReportMetric(vif, "create/s")
	b.ReportMetric(floorRate, "floor/s")
	b.ReportMetric(vif/floorRate, "create/floor")
}

// rawWriteFloor is a SQLite file opened as the services open theirs, with the outbox table, and
// the write floor on it (benchload.WriteFloor).
func rawWriteFloor(b *testing.B, payload []byte) func(ctx context.Context, i int64) error {
	b.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(b.TempDir(), "floor.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := storage.Migrate(ctx, db, outbox.Migrations, "goose_outbox"); err != nil {
		b.Fatal(err)
	}
	return benchload.WriteFloor(b, db, payload)
}

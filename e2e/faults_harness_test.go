package e2e

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/grpcserver/grpctest"
	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
)

// The fault suite's harness: the parts it builds and starts once (the binaries, a private
// PostgreSQL), the stack each test starts as processes, and the calls through which the tests
// use and watch it. The scenarios are in faults_test.go.

// faultParts are built and started once for the package: the binaries and the private PostgreSQL.
var faultParts struct {
	once   sync.Once
	err    error
	bin    string // directory, gateway, nats-server
	pgDir  string
	pgPort int
	pgDSN  string // the server's postgres database; each test creates its own database on it
}

func TestMain(m *testing.M) {
	code := m.Run()
	if faultParts.pgDir != "" {
		_ = exec.Command("../scripts/postgres.sh", "stop", faultParts.pgDir).Run()
		os.RemoveAll(faultParts.pgDir)
	}
	if faultParts.bin != "" {
		os.RemoveAll(faultParts.bin)
	}
	os.Exit(code)
}

// setUpFaultParts builds the binaries and starts the suite's own PostgreSQL (scripts/postgres.sh,
// which installs Debian's package when it is missing). It fails, never skips: the suite proves
// nothing without the real parts.
func setUpFaultParts(t *testing.T) {
	t.Helper()
	faultParts.once.Do(func() {
		root := repoRoot(t)
		if faultParts.bin, faultParts.err = os.MkdirTemp("", "vif-faults-bin"); faultParts.err != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", faultParts.bin+string(os.PathSeparator),
			"./services/directory/cmd/directory", "./gateway/cmd/gateway", "github.com/nats-io/nats-server/v2")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			faultParts.err = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		// The PostgreSQL server runs as the postgres user when the tests run as root: its
		// directory must be reachable by it.
		if faultParts.pgDir, faultParts.err = os.MkdirTemp("", "vif-faults-pg"); faultParts.err != nil {
			return
		}
		if faultParts.err = os.Chmod(faultParts.pgDir, 0o755); faultParts.err != nil {
			return
		}
		faultParts.pgPort = freePort(t)
		faultParts.pgDSN, faultParts.err = postgresCtl(root, "start")
	})
	if faultParts.err != nil {
		t.Fatalf("fault suite set-up: %v", faultParts.err)
	}
}

// postgresCtl starts or stops the suite's PostgreSQL; start returns the DSN.
func postgresCtl(root, action string) (string, error) {
	args := []string{action, faultParts.pgDir}
	if action == "start" {
		args = append(args, fmt.Sprint(faultParts.pgPort))
	}
	cmd := exec.Command(filepath.Join(root, "scripts", "postgres.sh"), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("postgres.sh %s: %v\n%s", action, err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

// faultDatabase creates a fresh database on the suite's PostgreSQL and returns its DSN.
func faultDatabase(t *testing.T) string {
	t.Helper()
	db, err := sql.Open("pgx", faultParts.pgDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	name := strings.ToLower(strings.NewReplacer("/", "_", "-", "_").Replace(t.Name()))
	if _, err := db.Exec("DROP DATABASE IF EXISTS " + name); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	return strings.Replace(faultParts.pgDSN, "/postgres?", "/"+name+"?", 1)
}

// faultStack is NATS, the directory on its own PostgreSQL database, and optionally the gateway in
// front of it, each a process.
type faultStack struct {
	natsURL    string
	dsn        string
	key        ed25519.PrivateKey
	dirGRPC    string
	dirAdmin   string
	dirEnv     []string
	directory  *process
	gatewayURL string
}

// startFaultStack starts the stack with the directory on dsn, or on a fresh database of the
// suite's PostgreSQL when dsn is empty.
func startFaultStack(t *testing.T, dsn string, withGateway bool) *faultStack {
	t.Helper()
	setUpFaultParts(t)
	if dsn == "" {
		dsn = faultDatabase(t)
	}
	s := &faultStack{dsn: dsn}
	natsPort := freePort(t)
	s.natsURL = fmt.Sprintf("nats://127.0.0.1:%d", natsPort)
	startProcess(t, "nats-server", filepath.Join(faultParts.bin, "nats-server"), nil,
		"-a", "127.0.0.1", "-p", fmt.Sprint(natsPort), "-js", "-sd", filepath.Join(t.TempDir(), "js"))

	keyDir := t.TempDir()
	var err error
	if s.key, err = auth.LoadOrCreatePrivateKey(filepath.Join(keyDir, "auth.key")); err != nil {
		t.Fatal(err)
	}
	pubPath := filepath.Join(keyDir, "auth.pub")
	if err := auth.WritePublicKey(pubPath, s.key.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
	s.dirGRPC = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	s.dirAdmin = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	s.dirEnv = []string{
		"VIF_GRPC_ADDR=" + s.dirGRPC, "VIF_ADMIN_ADDR=" + s.dirAdmin, "VIF_DATABASE_URL=" + s.dsn,
		"VIF_NATS_URL=" + s.natsURL, "VIF_AUTH_PUBLIC_KEY=" + pubPath,
		"VIF_SEED=false", // no background writes beside the tests' own
	}
	s.startDirectory(t)
	if withGateway {
		httpAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		gw := startProcess(t, "gateway", filepath.Join(faultParts.bin, "gateway"), []string{
			"VIF_HTTP_ADDR=" + httpAddr, "VIF_DIRECTORY_ADDR=" + s.dirGRPC, "VIF_AUTH_PUBLIC_KEY=" + pubPath,
			fmt.Sprintf("VIF_ADMIN_ADDR=127.0.0.1:%d", freePort(t)),
			// The other services are not part of these tests: nothing listens there.
			fmt.Sprintf("VIF_FUNDING_ADDR=127.0.0.1:%d", freePort(t)),
			fmt.Sprintf("VIF_FLEET_ADDR=127.0.0.1:%d", freePort(t)),
			fmt.Sprintf("VIF_STATISTICS_ADDR=127.0.0.1:%d", freePort(t)),
		})
		s.gatewayURL = "http://" + httpAddr
		s.waitREST(t, gw)
	}
	return s
}

// startDirectory starts the directory (again) on the same addresses and database, and waits
// until its health answers SERVING.
func (s *faultStack) startDirectory(t *testing.T) {
	t.Helper()
	s.directory = startProcess(t, "directory", filepath.Join(faultParts.bin, "directory"), s.dirEnv)
	waitHealthy(t, "http://"+s.dirAdmin+"/healthz")
}

// waitREST waits until the gateway serves a read that needs the directory's database.
func (s *faultStack) waitREST(t *testing.T, gw *process) {
	t.Helper()
	served := grpctest.Within(startupWait, 50*time.Millisecond, func() bool {
		if code, _ := s.rest(t, "GET", "/v1/organisations?pageSize=1", "", ""); code == 200 {
			return true
		}
		if gw.exited() {
			t.Fatalf("the gateway exited before it served:\n%s", gw.logs())
		}
		return false
	})
	if !served {
		t.Fatalf("GET /v1/organisations through the gateway not 200 after %v", startupWait)
	}
}

func (s *faultStack) adminToken(t *testing.T) string {
	t.Helper()
	token, err := auth.Issuer{Key: s.key}.Issue(auth.Claims{Role: auth.RoleAdmin, RegisteredClaims: jwt.RegisteredClaims{Subject: "faults"}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// restResult is one REST call's outcome.
type restResult struct {
	status     int
	retryAfter string
	reason     string
}

// rest calls the gateway; a transport error is status 0.
func (s *faultStack) rest(t *testing.T, method, path, token, body string) (int, restResult) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.gatewayURL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, restResult{}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := restResult{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	var e struct {
		Error struct{ Details []struct{ Reason string } }
	}
	if json.Unmarshal(raw, &e) == nil {
		for _, d := range e.Error.Details {
			if d.Reason != "" {
				r.reason = d.Reason
			}
		}
	}
	return resp.StatusCode, r
}

// grpcDirectory is a client of the directory process with an admin token.
func (s *faultStack) grpcDirectory(t *testing.T) (*grpc.ClientConn, context.Context) {
	t.Helper()
	conn, err := grpc.NewClient(s.dirGRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+s.adminToken(t))
}

func newOrganisation(id string) *directoryv1.CreateOrganisationRequest {
	return &directoryv1.CreateOrganisationRequest{
		OrganisationId: id,
		Organisation: &directoryv1.Organisation{
			DisplayName: "Association " + id,
			Kind:        directoryv1.OrganisationKind_ORGANISATION_KIND_ASSOCIATION,
			Commune:     "communes/71270",
		},
	}
}

// createdEvents returns the payloads of the organisation.created events in the VIF stream.
func (s *faultStack) createdEvents(t *testing.T) [][]byte {
	t.Helper()
	nc, err := nats.Connect(s.natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stream, err := js.Stream(ctx, eventbus.StreamName)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil // the directory has not created it yet: no event so far
	}
	if err != nil {
		t.Fatal(err)
	}
	info, err := stream.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var payloads [][]byte
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		msg, err := stream.GetMsg(ctx, seq)
		if err != nil {
			continue // a deleted sequence
		}
		if msg.Subject == "vif.directory.v1.organisation.created" {
			payloads = append(payloads, msg.Data)
		}
	}
	return payloads
}

// rpcLogCodes returns the code of each rpc log line of method in a process's output.
func rpcLogCodes(p *process, method string) []string {
	var codes []string
	for _, line := range strings.Split(p.logs(), "\n") {
		var rec struct{ Msg, Method, Code string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "rpc" && rec.Method == method {
			codes = append(codes, rec.Code)
		}
	}
	return codes
}

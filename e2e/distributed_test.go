package e2e

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/grpcserver/grpctest"
	"github.com/vif71/vif/platform/storage/storagetest"
)

// TestDistributedShape builds the binaries, starts a standalone nats-server (the pinned Go
// module), the directory on PostgreSQL and the gateway as separate processes, and uses them as a
// client would: REST through the gateway, an event on NATS, a graceful stop.
func TestDistributedShape(t *testing.T) {
	bin := t.TempDir()
	build(t, bin,
		"./services/directory/cmd/directory",
		"./services/funding/cmd/funding",
		"./services/fleet/cmd/fleet",
		"./services/statistics/cmd/statistics",
		"./gateway/cmd/gateway",
		"github.com/nats-io/nats-server/v2",
	)

	natsURL, natsKeys := startNATSServer(t, bin)

	// PostgreSQL when the test command started one (always in CI); SQLite files otherwise.
	database := func(name string) string {
		if dsn := storagetest.NewPostgresDatabase(t); dsn != "" {
			return dsn
		}
		return filepath.Join(t.TempDir(), name+".db")
	}
	keyDir := t.TempDir()
	key, err := auth.LoadOrCreatePrivateKey(filepath.Join(keyDir, "auth.key"))
	if err != nil {
		t.Fatal(err)
	}
	pubPath := filepath.Join(keyDir, "auth.pub")
	if err := auth.WritePublicKey(pubPath, key.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}

	grpcAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	adminAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	directory := startProcess(t, "directory", filepath.Join(bin, "directory"), []string{
		"VIF_GRPC_ADDR=" + grpcAddr, "VIF_ADMIN_ADDR=" + adminAddr, "VIF_DATABASE_URL=" + database("directory"),
		"VIF_NATS_URL=" + natsURL, "VIF_NATS_CREDS=" + natsKeys.SeedFile("directory"), "VIF_AUTH_PUBLIC_KEY=" + pubPath,
	})
	fundingAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	funding := startProcess(t, "funding", filepath.Join(bin, "funding"), []string{
		"VIF_GRPC_ADDR=" + fundingAddr, fmt.Sprintf("VIF_ADMIN_ADDR=127.0.0.1:%d", freePort(t)), "VIF_DATABASE_URL=" + database("funding"),
		"VIF_NATS_URL=" + natsURL, "VIF_NATS_CREDS=" + natsKeys.SeedFile("funding"), "VIF_AUTH_PUBLIC_KEY=" + pubPath, "VIF_DIRECTORY_ADDR=" + grpcAddr,
	})
	fleetAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	fleet := startProcess(t, "fleet", filepath.Join(bin, "fleet"), []string{
		"VIF_GRPC_ADDR=" + fleetAddr, fmt.Sprintf("VIF_ADMIN_ADDR=127.0.0.1:%d", freePort(t)), "VIF_DATABASE_URL=" + database("fleet"),
		"VIF_NATS_URL=" + natsURL, "VIF_NATS_CREDS=" + natsKeys.SeedFile("fleet"), "VIF_AUTH_PUBLIC_KEY=" + pubPath, "VIF_DIRECTORY_ADDR=" + grpcAddr,
	})
	statsAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	stats := startProcess(t, "statistics", filepath.Join(bin, "statistics"), []string{
		"VIF_GRPC_ADDR=" + statsAddr, fmt.Sprintf("VIF_ADMIN_ADDR=127.0.0.1:%d", freePort(t)), "VIF_DATABASE_URL=" + database("statistics"),
		"VIF_NATS_URL=" + natsURL, "VIF_NATS_CREDS=" + natsKeys.SeedFile("statistics"), "VIF_AUTH_PUBLIC_KEY=" + pubPath, "VIF_DIRECTORY_ADDR=" + grpcAddr,
	})
	httpAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	gateway := startProcess(t, "gateway", filepath.Join(bin, "gateway"), []string{
		"VIF_HTTP_ADDR=" + httpAddr, "VIF_DIRECTORY_ADDR=" + grpcAddr, "VIF_FUNDING_ADDR=" + fundingAddr,
		"VIF_FLEET_ADDR=" + fleetAddr, "VIF_STATISTICS_ADDR=" + statsAddr, "VIF_AUTH_PUBLIC_KEY=" + pubPath,
		fmt.Sprintf("VIF_ADMIN_ADDR=127.0.0.1:%d", freePort(t)),
	})
	base := "http://" + httpAddr
	waitHealthy(t, base+"/healthz")
	waitHealthy(t, "http://"+adminAddr+"/healthz")
	checkHealthCheckCommands(t, bin, grpcAddr, httpAddr)

	readOnly, err := nats.NkeyOptionFromSeed(natsKeys.SeedFile(eventbus.Reader))
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(natsURL, readOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	events, err := nc.SubscribeSync("vif.directory.v1.organisation.created")
	if err != nil {
		t.Fatal(err)
	}

	var networks struct{ Networks []any }
	if status := getJSON(t, "GET", base+"/v1/networks", "", "", &networks); status != 200 || len(networks.Networks) != 13 {
		t.Fatalf("GET /v1/networks = %d with %d networks; want 200 with 13", status, len(networks.Networks))
	}
	token, err := auth.Issuer{Key: key}.Issue(auth.Claims{Role: auth.RoleAdmin, RegisteredClaims: jwt.RegisteredClaims{Subject: "e2e"}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ Name string }
	body := `{"displayName":"Maison des femmes","kind":"ORGANISATION_KIND_ASSOCIATION","commune":"communes/71270"}`
	if status := getJSON(t, "POST", base+"/v1/organisations?organisationId=maison-des-femmes", token, body, &created); status != 200 || created.Name != "organisations/maison-des-femmes" {
		t.Fatalf("POST /v1/organisations = %d %+v", status, created)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		msg, err := events.NextMsg(time.Until(deadline))
		if err != nil {
			t.Fatalf("no organisation.created event for the new organisation: %v", err)
		}
		if strings.Contains(string(msg.Data), "organisations/maison-des-femmes") {
			if msg.Header.Get("ce-source") != "/vif/directory" {
				t.Errorf("ce-source = %q; want /vif/directory", msg.Header.Get("ce-source"))
			}
			break
		}
	}

	// The funding service seeds its ISCG posts once it reaches the directory, in another process.
	var plans struct {
		FundingPlans []struct {
			AnnualCostCents string
			Contributions   []struct{ AmountCents string }
		}
	}
	var status int
	if !grpctest.Within(startupWait, 200*time.Millisecond, func() bool {
		plans.FundingPlans = nil
		status = getJSON(t, "GET", base+"/v1/posts/-/plans", token, "", &plans)
		return status == 200 && len(plans.FundingPlans) == 3
	}) {
		t.Fatalf("GET /v1/posts/-/plans = %d with %d plans; want the 3 seeded plans", status, len(plans.FundingPlans))
	}
	for _, p := range plans.FundingPlans {
		var sum, cost int64
		fmt.Sscan(p.AnnualCostCents, &cost)
		for _, c := range p.Contributions {
			var v int64
			fmt.Sscan(c.AmountCents, &v)
			sum += v
		}
		if sum != cost || cost == 0 {
			t.Errorf("plan contributions add up to %d; want the cost %d", sum, cost)
		}
	}

	// The fleet seeds the article's 17 cessions once it reaches the directory.
	var cessions struct{ TotalSize int }
	if !grpctest.Within(startupWait, 200*time.Millisecond, func() bool {
		cessions.TotalSize = 0
		status = getJSON(t, "GET", base+"/v1/cessions", token, "", &cessions)
		return status == 200 && cessions.TotalSize == 17
	}) {
		t.Fatalf("GET /v1/cessions = %d with %d cessions; want the 17 seeded", status, cessions.TotalSize)
	}

	// The statistics service seeds its illustrative reports once it reaches the directory; the
	// public sees the département's 2022 protected, above the article's 1,100 victims.
	type seriesAnswer struct {
		View    string
		Periods []struct {
			Figures struct{ VictimsSupported struct{ Value string } }
		}
	}
	var series seriesAnswer
	if !grpctest.Within(startupWait, 200*time.Millisecond, func() bool {
		series = seriesAnswer{}
		status = getJSON(t, "GET", base+"/v1/networks/-/series?granularity=GRANULARITY_YEAR&startPeriod=2022&endPeriod=2022", "", "", &series)
		var victims int
		if status == 200 && len(series.Periods) == 1 {
			fmt.Sscan(series.Periods[0].Figures.VictimsSupported.Value, &victims)
		}
		return victims > 1100 && series.View == "VIEW_PROTECTED"
	}) {
		t.Fatalf("GET /v1/networks/-/series = %d %+v; want the seeded 2022, protected, above 1,100", status, series)
	}

	// Each service published its seed's events with its own credentials, which the server checks
	// against its subjects.
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range eventbus.Services {
		if !grpctest.Within(startupWait, 200*time.Millisecond, func() bool {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			var n int
			if s, err := js.Stream(ctx, eventbus.StreamName); err == nil {
				if info, err := s.Info(ctx, jetstream.WithSubjectFilter(eventbus.ServiceSubjects(svc))); err == nil {
					n = len(info.State.Subjects)
				}
			}
			return n > 0
		}) {
			t.Fatalf("no event on %s in the stream: the %s relay could not publish", eventbus.ServiceSubjects(svc), svc)
		}
	}

	// A graceful stop: SIGTERM, and each process exits 0.
	for _, p := range []*process{gateway, stats, fleet, funding, directory} {
		if err := p.stop(); err != nil {
			t.Errorf("%s did not stop cleanly: %v\n%s", p.name, err, p.logs())
		}
	}
}

// startNATSServer starts the nats-server in bin as the distributed shape runs it: with
// deploy/nats/nats.conf, the public keys of a fresh keyring in its environment (the nats.env that
// `vif events credentials` writes), on free ports of the loopback and a store of the test's.
func startNATSServer(t *testing.T, bin string) (string, *eventbus.Keyring) {
	t.Helper()
	keys, err := eventbus.LoadOrCreateKeyring(filepath.Join(t.TempDir(), "nats-keys"))
	if err != nil {
		t.Fatal(err)
	}
	envFile, err := os.ReadFile(filepath.Join(keys.Dir, eventbus.EnvFile))
	if err != nil {
		t.Fatal(err)
	}
	env := append(strings.Fields(string(envFile)), "NATS_SERVER_NAME=nats-e2e", "NATS_STORE_DIR="+filepath.Join(t.TempDir(), "js"))
	port := freePort(t)
	p := startProcess(t, "nats-server", filepath.Join(bin, "nats-server"), env,
		"-c", filepath.Join(repoRoot(t), "deploy", "nats", "nats.conf"),
		"-a", "127.0.0.1", "-p", fmt.Sprint(port), "-m", fmt.Sprint(freePort(t)))
	url := fmt.Sprintf("nats://127.0.0.1:%d", port)
	if !grpctest.Within(startupWait, 50*time.Millisecond, func() bool {
		var c net.Conn
		if c, err = net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return true
		}
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("nats-server exited before listening: %v\n%s", err, p.logs())
		default:
		}
		return false
	}) {
		t.Fatalf("nats-server not listening on %s after %v: %v", url, startupWait, err)
	}
	return url, keys
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func build(t *testing.T, dir string, pkgs ...string) {
	t.Helper()
	args := append([]string{"build", "-o", dir + string(os.PathSeparator)}, pkgs...)
	cmd := exec.Command("go", args...)
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %v: %v\n%s", pkgs, err, out)
	}
}

type process struct {
	name string
	cmd  *exec.Cmd
	out  *os.File
	done chan error
}

func startProcess(t *testing.T, name, path string, env []string, args ...string) *process {
	t.Helper()
	out, err := os.Create(filepath.Join(t.TempDir(), name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	p := &process{name: name, cmd: cmd, out: out, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = p.stop()
		if t.Failed() {
			t.Logf("%s output:\n%s", name, p.logs())
		}
	})
	return p
}

// exited reports whether the process has ended, without waiting.
func (p *process) exited() bool {
	select {
	case err := <-p.done:
		p.done <- err
		return true
	default:
		return false
	}
}

func (p *process) stop() error {
	if p.cmd.ProcessState != nil {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		return fmt.Errorf("still running 15 s after SIGTERM")
	}
}

func (p *process) logs() string {
	b, _ := os.ReadFile(p.out.Name())
	return string(b)
}

// startupWait bounds the polls for a process to come up or a seed to land: generous, because CI
// runs this test beside every other package on two cores, and a poll returns as soon as it can.
const startupWait = 90 * time.Second

func waitHealthy(t *testing.T, url string) {
	t.Helper()
	var err error
	if !grpctest.Within(startupWait, 100*time.Millisecond, func() bool {
		var resp *http.Response
		if resp, err = http.Get(url); err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}) {
		t.Fatalf("%s not healthy after %v (last: %v)", url, startupWait, err)
	}
}

func getJSON(t *testing.T, method, url, token, body string, into any) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, into); err != nil {
		t.Fatalf("%s %s: %v in %q", method, url, err, raw)
	}
	return resp.StatusCode
}

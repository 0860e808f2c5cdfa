package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/vif71/vif/platform/grpcclient"
	"github.com/vif71/vif/platform/grpcserver/grpctest"
	"github.com/vif71/vif/platform/storage"
	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
)

// The fault suite: the distributed shape's real parts as processes (a standalone nats-server, a
// private PostgreSQL this suite may stop, the directory and the gateway), each test breaking one
// of them the way production does and checking what a client sees. Each figure it measures is
// logged (go test -v) and bounded by an assertion.

// TestFaultPostgresOutageIs503: PostgreSQL stopped for 3 s under light load. Every failed call is
// 503 with Retry-After (no 500), and the same processes answer 200 again once it is back.
func TestFaultPostgresOutageIs503(t *testing.T) {
	s := startFaultStack(t, "", true)
	token := s.adminToken(t)
	root := repoRoot(t)

	type outcome struct {
		at  time.Time
		op  string
		res restResult
	}
	var mu sync.Mutex
	var outcomes []outcome
	stop := make(chan struct{})
	done := make(chan struct{})
	var stopOnce sync.Once
	stopLoad := func() {
		stopOnce.Do(func() { close(stop) })
		<-done
	}
	defer stopLoad()
	go func() { // light load: a read and a write every 50 ms, bounded by the test's own steps
		defer close(done)
		for i := 0; i < 2000; i++ {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			_, read := s.rest(t, "GET", "/v1/organisations?pageSize=5", "", "")
			body := `{"displayName":"Association témoin","kind":"ORGANISATION_KIND_ASSOCIATION","commune":"communes/71270"}`
			_, write := s.rest(t, "POST", fmt.Sprintf("/v1/organisations?organisationId=outage-%d", i), token, body)
			mu.Lock()
			now := time.Now()
			outcomes = append(outcomes, outcome{now, "GET", read}, outcome{now, "POST", write})
			mu.Unlock()
		}
	}()

	time.Sleep(time.Second) // not a poll: the load runs a second against the healthy stack first
	down := time.Now()
	if _, err := postgresCtl(root, "stop"); err != nil {
		t.Fatal(err)
	}
	restarted := false
	t.Cleanup(func() { // the next tests need it
		if !restarted {
			_, _ = postgresCtl(root, "start")
		}
	})
	time.Sleep(3 * time.Second) // not a poll: the outage itself, which the load runs through
	if _, err := postgresCtl(root, "start"); err != nil {
		t.Fatal(err)
	}
	restarted = true
	up := time.Now()
	t.Logf("PostgreSQL down for %v", up.Sub(down).Round(10*time.Millisecond))

	// Recovered: a read and a write both 200 after the restart, within 10 s.
	// Not Eventually: without a recovery the outcomes are still reported, then the test fails.
	var recoveredAt time.Time
	grpctest.Within(10*time.Second, 50*time.Millisecond, func() bool {
		mu.Lock()
		defer mu.Unlock()
		okGet, okPost := false, false
		for _, o := range outcomes {
			if o.at.After(up) && o.res.status == 200 {
				okGet = okGet || o.op == "GET"
				okPost = okPost || o.op == "POST"
				if okGet && okPost {
					recoveredAt = o.at
					return true
				}
			}
		}
		return false
	})
	stopLoad()

	counts := map[int]int{}
	reported := 0
	report := func(format string, args ...any) { // the first few, then only the counts
		if reported++; reported <= 5 {
			t.Errorf(format, args...)
		}
	}
	for _, o := range outcomes {
		counts[o.res.status]++
		switch o.res.status {
		case 200:
		case 503:
			if o.res.retryAfter != "1" || o.res.reason != "DATABASE_UNAVAILABLE" {
				report("%s during the outage: 503 with Retry-After %q, reason %q; want Retry-After 1, DATABASE_UNAVAILABLE",
					o.op, o.res.retryAfter, o.res.reason)
			}
		default:
			report("%s at %v after the stop = %d (reason %q); want 200 or 503", o.op,
				o.at.Sub(down).Round(time.Millisecond), o.res.status, o.res.reason)
		}
	}
	t.Logf("outcomes over %d calls (HTTP status: count): %v", len(outcomes), counts)
	if reported > 5 {
		t.Errorf("%d wrong outcomes in all", reported)
	}
	if counts[503] == 0 {
		t.Errorf("no 503 while PostgreSQL was down: the outage was not seen")
	}
	if recoveredAt.IsZero() {
		t.Fatalf("no 200 for both a read and a write within 10 s of PostgreSQL's restart")
	}
	t.Logf("read and write answered 200 again %v after PostgreSQL restarted", recoveredAt.Sub(up).Round(time.Millisecond))
	select {
	case err := <-s.directory.done:
		s.directory.done <- err
		t.Errorf("the directory exited during the outage (%v):\n%s", err, s.directory.logs())
	default:
	}
}

// TestFaultGatewayReachesRestartedBackend: the directory stops (SIGTERM), stays down 5 s while
// the gateway keeps trying, and starts again; the gateway answers 200 within 2 s of the
// directory's health answering SERVING.
func TestFaultGatewayReachesRestartedBackend(t *testing.T) {
	s := startFaultStack(t, "", true)
	start := time.Now()
	if err := s.directory.stop(); err != nil {
		t.Fatalf("directory stop: %v", err)
	}
	t.Logf("directory exited %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	// Not a poll: every call of the 5 s down must be 503, one each 100 ms.
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if code, _ := s.rest(t, "GET", "/v1/organisations?pageSize=1", "", ""); code != 503 {
			t.Fatalf("GET with the directory down = %d; want 503", code)
		}
	}

	s.directory = startProcess(t, "directory", filepath.Join(faultParts.bin, "directory"), s.dirEnv)
	grpctest.Eventually(t, startupWait, func() bool {
		resp, err := http.Get("http://" + s.dirAdmin + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}, "restarted directory not healthy")
	serving := time.Now()
	grpctest.Eventually(t, 30*time.Second, func() bool {
		code, _ := s.rest(t, "GET", "/v1/organisations?pageSize=1", "", "")
		return code == 200
	}, "the gateway still cannot reach the directory after it came back")
	took := time.Since(serving)
	t.Logf("gateway reached the restarted directory %v after its health answered SERVING", took.Round(time.Millisecond))
	if limit := 2 * grpcclient.MaxReconnectDelay; took > limit { // the cap, its jitter, and slack for a loaded CI machine
		t.Errorf("gateway reached the restarted directory after %v; want at most %v", took, limit)
	}
}

// TestFaultSIGTERMWithOpenWatch: with a Health/Watch stream open and writers busy, SIGTERM makes
// the directory exit 0 within 2 s; the Watch ends with Unavailable; every write that answered OK
// has its event in the stream, and nothing is left in the outbox for the next start.
func TestFaultSIGTERMWithOpenWatch(t *testing.T) {
	s := startFaultStack(t, "", false)
	conn, ctx := s.grpcDirectory(t)
	watch, err := healthpb.NewHealthClient(conn).Watch(context.Background(), &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if msg, err := watch.Recv(); err != nil || msg.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("first Watch message = %v, %v; want SERVING", msg, err)
	}
	watchEnd := make(chan error, 1)
	go func() {
		for {
			if _, err := watch.Recv(); err != nil {
				watchEnd <- err
				return
			}
		}
	}()

	client := directoryv1.NewDirectoryServiceClient(conn)
	// The relay is publishing (the stream exists, the bus is reached) before the load starts.
	if _, err := client.CreateOrganisation(ctx, newOrganisation("drain-first")); err != nil {
		t.Fatal(err)
	}
	if !grpctest.Within(startupWait, 50*time.Millisecond, func() bool { return len(s.createdEvents(t)) > 0 }) {
		t.Fatalf("the first write's event not in the stream after %v", startupWait)
	}
	var mu sync.Mutex
	var created []string
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 { // bounded; the SIGTERM ends the loop long before
				id := fmt.Sprintf("drain-%d-%d", w, i)
				if _, err := client.CreateOrganisation(ctx, newOrganisation(id)); err != nil {
					return
				}
				mu.Lock()
				created = append(created, "organisations/"+id)
				mu.Unlock()
			}
		}()
	}
	var n int
	if !grpctest.Within(30*time.Second, 10*time.Millisecond, func() bool {
		mu.Lock()
		n = len(created)
		mu.Unlock()
		return n >= 20
	}) {
		t.Fatalf("only %d writes in 30 s", n)
	}

	start := time.Now()
	err = s.directory.stop()
	took := time.Since(start)
	wg.Wait()
	if err != nil {
		t.Fatalf("directory after SIGTERM: %v\n%s", err, s.directory.logs())
	}
	t.Logf("directory exited 0 %v after SIGTERM, with a Watch open and %d writes answered OK", took.Round(time.Millisecond), len(created))
	if took > 2*time.Second {
		t.Errorf("directory took %v to exit after SIGTERM; want under 2 s", took)
	}
	select {
	case err := <-watchEnd:
		if status.Code(err) != codes.Unavailable {
			t.Errorf("Watch ended with %v; want Unavailable", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("Watch still open 5 s after the directory exited")
	}

	db, err := sql.Open("pgx", s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var pending int
	if err := db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL`).Scan(&pending); err != nil {
		t.Fatal(err)
	}
	if pending != 0 {
		t.Errorf("%d events left unpublished in the outbox after the stop; want 0", pending)
	}
	events := s.createdEvents(t)
	missing := 0
	for _, name := range created {
		found := false
		for _, p := range events {
			if bytes.Contains(p, []byte(name)) {
				found = true
				break
			}
		}
		if !found {
			missing++
		}
	}
	t.Logf("%d writes answered OK, %d organisation.created events in the stream", len(created), len(events))
	if missing > 0 {
		t.Errorf("%d of %d writes that answered OK have no event in the stream", missing, len(created))
	}
}

// TestFaultExpiredDeadline: a write whose deadline expires while it waits on the database gives
// the client DeadlineExceeded, is logged with that code (not OK, not Internal), leaves neither the
// organisation nor its event, and the same request succeeds once the database is free. On
// PostgreSQL another session locks the outbox table (the write has inserted its organisation and
// waits on the outbox insert); on SQLite another connection holds the write lock (the write waits
// in its busy timeout, which the deadline interrupts).
func TestFaultExpiredDeadline(t *testing.T) {
	for _, engine := range []string{"postgres", "sqlite"} {
		t.Run(engine, func(t *testing.T) {
			dsn := ""
			if engine == "sqlite" {
				dsn = filepath.Join(t.TempDir(), "directory.db")
			}
			s := startFaultStack(t, dsn, false)
			db, err := storage.Open(context.Background(), s.dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			lock, err := db.BeginTx(context.Background(), nil) // SQLite: BEGIN IMMEDIATE, the write lock
			if err != nil {
				t.Fatal(err)
			}
			defer lock.Rollback()
			if engine == "postgres" {
				if _, err := lock.Exec(`LOCK TABLE outbox IN EXCLUSIVE MODE`); err != nil {
					t.Fatal(err)
				}
			}
			expireWhileLocked(t, s, db, lock)
		})
	}
}

func expireWhileLocked(t *testing.T, s *faultStack, db *storage.DB, lock *sql.Tx) {
	conn, ctx := s.grpcDirectory(t)
	client := directoryv1.NewDirectoryServiceClient(conn)
	counts := func() (orgs, events int) {
		t.Helper()
		if err := db.QueryRow(`SELECT (SELECT COUNT(*) FROM organisations), (SELECT COUNT(*) FROM outbox)`).Scan(&orgs, &events); err != nil {
			t.Fatal(err)
		}
		return orgs, events
	}

	const method = "/vif.directory.v1.DirectoryService/CreateOrganisation"
	callCtx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	_, err := client.CreateOrganisation(callCtx, newOrganisation("deadline"))
	if status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("CreateOrganisation past its deadline = %v; want DeadlineExceeded", err)
	}
	// The server logs the call once its handler returns; the lock is still held.
	if !grpctest.Within(15*time.Second, 20*time.Millisecond, func() bool { return len(rpcLogCodes(s.directory, method)) > 0 }) {
		t.Fatalf("no rpc log line for %s:\n%s", method, s.directory.logs())
	}
	if got := rpcLogCodes(s.directory, method); len(got) != 1 || got[0] != "DeadlineExceeded" {
		t.Errorf("rpc log codes for the expired call = %v; want [DeadlineExceeded], what the client got", got)
	}
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // not a poll: a pause in which anything still running would land
	if orgs, events := counts(); orgs != 0 || events != 0 {
		t.Errorf("after the expired call: %d organisations, %d outbox rows; want none (nothing written)", orgs, events)
	}
	if logs := s.directory.logs(); strings.Contains(logs, "transaction has already been committed or rolled back") ||
		strings.Contains(logs, `"msg":"internal error"`) {
		t.Errorf("the expired call was logged as an internal error:\n%s", logs)
	}

	retryCtx, cancel2 := context.WithTimeout(ctx, 10*time.Second)
	defer cancel2()
	if _, err := client.CreateOrganisation(retryCtx, newOrganisation("deadline")); err != nil {
		t.Errorf("the same CreateOrganisation after the lock = %v; want it created", err)
	}
	if orgs, _ := counts(); orgs != 1 {
		t.Errorf("%d organisations after the retry; want 1", orgs)
	}
}

package grpcserver

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/requestid"
)

// syncBuffer is a log sink the server's goroutines write to while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the JSON log lines written so far whose msg is msg.
func (b *syncBuffer) lines(t *testing.T, msg string) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

// startServer serves a Server with no service of its own (health and reflection only) on a
// loopback port, logging JSON to the returned buffer, and returns a client connection to it.
func startServer(t *testing.T) (*grpc.ClientConn, *syncBuffer) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	srv, err := New(Options{
		Logger:   slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Verifier: auth.Verifier{Key: pub},
	})
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, lis, nil) }()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve = %v", err)
		}
	})
	return conn, logs
}

// rawCodec sends and receives bytes as they are, under the proto content type: what a broken or
// hostile client puts on the wire.
type rawCodec struct{}

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(*v.(*[]byte))}, nil
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	*v.(*[]byte) = data.Materialize()
	return nil
}

func (rawCodec) Name() string { return "proto" }

func reasonOf(err error) string {
	for _, d := range status.Convert(err).Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetReason()
		}
	}
	return ""
}

func TestMalformedRequestIsInvalidArgument(t *testing.T) {
	conn, logs := startServer(t)
	tests := []struct {
		name string
		wire []byte
	}{
		{"truncated varint", []byte{0x08, 0xff}},
		{"field number zero", []byte{0x00, 0x01}},
		// HealthCheckRequest.service (field 1, a proto3 string) holding the byte 0xff.
		{"string not UTF-8", []byte{0x0a, 0x01, 0xff}},
	}
	for _, tt := range tests {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		var out []byte
		err := conn.Invoke(ctx, "/grpc.health.v1.Health/Check", &tt.wire, &out, grpc.ForceCodecV2(rawCodec{}))
		cancel()
		if status.Code(err) != codes.InvalidArgument || reasonOf(err) != ReasonMalformedRequest {
			t.Errorf("%s: Check(% x) = %v; want InvalidArgument with reason %s", tt.name, tt.wire, err, ReasonMalformedRequest)
		}
	}
	var refused int
	for _, l := range logs.lines(t, "rpc") {
		if l["method"] == "/grpc.health.v1.Health/Check" && l["code"] == "InvalidArgument" {
			refused++
		}
	}
	if refused != len(tests) {
		t.Errorf("%d rpc log lines with code InvalidArgument; want %d", refused, len(tests))
	}

	// A well-formed request still passes.
	ok := []byte{}
	var out []byte
	if err := conn.Invoke(context.Background(), "/grpc.health.v1.Health/Check", &ok, &out, grpc.ForceCodecV2(rawCodec{})); err != nil {
		t.Errorf("Check(empty) = %v; want SERVING", err)
	}
}

// TestRequestIDOnEveryLogLine calls health with the id a gateway passes on, with none (a pure
// gRPC caller) and with one unfit for a log, and reads the rpc log lines the server wrote.
func TestRequestIDOnEveryLogLine(t *testing.T) {
	conn, logs := startServer(t)
	health := healthpb.NewHealthClient(conn)
	check := func(sent ...string) string {
		t.Helper()
		ctx := context.Background()
		if len(sent) > 0 {
			ctx = metadata.AppendToOutgoingContext(ctx, requestid.MetadataKey, sent[0])
		}
		var header metadata.MD
		if _, err := health.Check(ctx, &healthpb.HealthCheckRequest{}, grpc.Header(&header)); err != nil {
			t.Fatalf("Check: %v", err)
		}
		got := header.Get(requestid.MetadataKey)
		if len(got) != 1 {
			t.Fatalf("response header %s = %q; want one id", requestid.MetadataKey, got)
		}
		return got[0]
	}

	if got := check("req-from-gateway-1"); got != "req-from-gateway-1" {
		t.Errorf("id sent req-from-gateway-1, answered %q; want it kept", got)
	}
	generated := check()
	if !requestid.Valid(generated) {
		t.Errorf("no id sent: answered %q; want a generated id", generated)
	}
	forged := check("x\" level=ERROR msg=forged")
	if forged == "x\" level=ERROR msg=forged" || !requestid.Valid(forged) {
		t.Errorf("unfit id sent: answered %q; want a fresh one", forged)
	}

	var ids []any
	for _, l := range logs.lines(t, "rpc") {
		ids = append(ids, l[requestid.LogKey])
	}
	want := []any{"req-from-gateway-1", generated, forged}
	if !slices.Equal(ids, want) {
		t.Errorf("request_id of the rpc lines = %v; want %v", ids, want)
	}
}

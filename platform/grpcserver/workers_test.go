package grpcserver_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"log/slog"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/grpcserver"
)

// TestInProcessCallsWhenEveryWorkerIsBusy: the in-process channel runs its calls on a pool of
// workers; with more calls in flight than workers, each still ends at its caller's deadline
// while its handler keeps sleeping, a call made meanwhile is answered, and calls made after the
// server stopped (the gateway draining) still run.
func TestInProcessCallsWhenEveryWorkerIsBusy(t *testing.T) {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := grpcserver.New(grpcserver.Options{
		Logger:   slog.New(slog.NewJSONHandler(&syncBuffer{}, nil)),
		Verifier: auth.Verifier{Key: pub},
		Services: []grpcserver.Service{sleepService},
	})
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Serve(ctx, lis, nil) }()
	ch := srv.InProcess()
	sleep := func(ctx context.Context, d time.Duration) error {
		return ch.Invoke(ctx, sleepMethod, durationpb.New(d), new(durationpb.Duration))
	}
	busy := runtime.GOMAXPROCS(0) + 4
	errs := make([]error, busy)
	var wg sync.WaitGroup
	for i := range busy {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			errs[i] = sleep(ctx, 3*time.Second)
		})
	}
	time.Sleep(50 * time.Millisecond) // the sleeping calls hold every worker
	if err := sleep(context.Background(), 0); err != nil {
		t.Errorf("a call while every worker is busy = %v; want it answered", err)
	}
	wg.Wait()
	for i, err := range errs {
		if status.Code(err) != codes.DeadlineExceeded {
			t.Errorf("sleeping call %d = %v; want DeadlineExceeded at its deadline, its handler still running", i, err)
		}
	}
	stop()
	if err := <-stopped; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("Serve = %v", err)
	}
	if err := sleep(context.Background(), 0); err != nil {
		t.Errorf("a call after the server stopped = %v; want it answered", err)
	}
}

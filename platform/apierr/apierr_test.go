package apierr_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vif71/vif/platform/apierr"
	"github.com/vif71/vif/platform/storage"
)

var quiet = slog.New(slog.DiscardHandler)

// TestDatabaseOutageIsUnavailable: a database that refuses connections gives Unavailable with a
// retry hint, never Internal.
func TestDatabaseOutageIsUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, dbErr := storage.Open(context.Background(), fmt.Sprintf("postgres://postgres@%s/postgres?sslmode=disable", addr))
	if dbErr == nil {
		t.Fatal("opened a database on a closed port")
	}
	// As a store returns it: wrapped in its own words.
	st := status.Convert(apierr.ToStatus(context.Background(), fmt.Errorf("load network: %w", dbErr), nil, quiet))
	if st.Code() != codes.Unavailable {
		t.Fatalf("ToStatus(%v) = %v; want Unavailable", dbErr, st.Code())
	}
	var reason string
	var delay time.Duration
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			reason = d.GetReason()
		case *errdetails.RetryInfo:
			delay = d.GetRetryDelay().AsDuration()
		}
	}
	if reason != apierr.ReasonDatabaseUnavailable || delay != apierr.RetryDelay {
		t.Errorf("details: reason %q, retry delay %v; want %q, %v", reason, delay, apierr.ReasonDatabaseUnavailable, apierr.RetryDelay)
	}
}

// TestEndedContextIsTheClientsOutcome: once the caller's context has ended, the error is its
// code whatever the driver said, since that is what the client sees.
func TestEndedContextIsTheClientsOutcome(t *testing.T) {
	expired, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	// The client's deadline passed and its reset arrived before the server's later copy of it.
	resetAtDeadline, cancel3 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	cancel3()
	// A client that gives up long before its deadline.
	resetEarly, cancel4 := context.WithTimeout(context.Background(), time.Minute)
	cancel4()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
		want codes.Code
	}{
		{"commit after the deadline", expired, fmt.Errorf("storage: commit: %w", sql.ErrTxDone), codes.DeadlineExceeded},
		{"sqlite interrupted", cancelled, errors.New("interrupted (9)"), codes.Canceled},
		{"reset at the client's deadline", resetAtDeadline, context.Canceled, codes.DeadlineExceeded},
		{"reset long before the deadline", resetEarly, context.Canceled, codes.Canceled},
		{"unknown error, context alive", context.Background(), errors.New("boom"), codes.Internal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := status.Code(apierr.ToStatus(tc.ctx, tc.err, nil, quiet)); got != tc.want {
				t.Errorf("ToStatus(%v) = %v; want %v", tc.err, got, tc.want)
			}
		})
	}
}

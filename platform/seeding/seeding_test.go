package seeding

import (
	"context"
	"errors"
	"log/slog"
	"testing"
)

var errUnavailable = errors.New("unavailable")

func TestRunRetriesUntilTheDependencyAnswers(t *testing.T) {
	calls := 0
	err := Run(context.Background(), slog.New(slog.DiscardHandler), func(context.Context) (bool, error) {
		calls++
		if calls < 3 {
			return false, errUnavailable
		}
		return true, nil
	}, func(err error) bool { return errors.Is(err, errUnavailable) })
	if err != nil || calls != 3 {
		t.Errorf("Run = %v after %d calls; want nil after 3", err, calls)
	}
}

func TestRunStopsOnABug(t *testing.T) {
	calls := 0
	Run(context.Background(), slog.New(slog.DiscardHandler), func(context.Context) (bool, error) {
		calls++
		return false, errors.New("invalid seed")
	}, func(err error) bool { return errors.Is(err, errUnavailable) })
	if calls != 1 {
		t.Errorf("seed called %d times; want 1: a non-retryable failure is not retried", calls)
	}
}

func TestRunReturnsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Run(ctx, slog.New(slog.DiscardHandler), func(ctx context.Context) (bool, error) {
		return false, errUnavailable
	}, func(error) bool { return true })
	if err != nil {
		t.Errorf("Run on a cancelled context = %v; want nil", err)
	}
}

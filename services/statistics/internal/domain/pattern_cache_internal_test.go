package domain

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestAPatternIsComputedOnceAndOutlivesItsReader: readers asking for the same pattern at once
// share one computation; the one who started it may go, the computation lands in the cache.
func TestAPatternIsComputedOnceAndOutlivesItsReader(t *testing.T) {
	c := NewPatternCache(4)
	key := sha256.Sum256([]byte("2024"))
	want := map[cellKey]bool{{kind: victimsCell, network: "a", period: MonthPeriod(2024, 3)}: true}
	release := make(chan struct{})
	var calls atomic.Int32
	compute := func(ctx context.Context) (map[cellKey]bool, error) {
		calls.Add(1)
		<-release
		return want, ctx.Err()
	}
	first, leave := context.WithCancel(context.Background())
	gone := make(chan error, 1)
	go func() {
		_, err := c.do(first, key, compute)
		gone <- err
	}()
	for { // until the first reader's computation is in flight
		c.mu.Lock()
		_, running := c.inFlight[key]
		c.mu.Unlock()
		if running {
			break
		}
		time.Sleep(time.Millisecond)
	}
	var wg sync.WaitGroup
	results := make([]map[cellKey]bool, 3)
	for i := range results {
		wg.Go(func() {
			h, err := c.do(context.Background(), key, compute)
			if err != nil {
				t.Errorf("a reader waiting for the computation: %v", err)
			}
			results[i] = h
		})
	}
	leave()
	if err := <-gone; !errors.Is(err, context.Canceled) {
		t.Errorf("the reader who left got %v; want context.Canceled", err)
	}
	close(release)
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Errorf("the pattern was computed %d times; want once", n)
	}
	for i, h := range results {
		if len(h) != 1 || !h[cellKey{kind: victimsCell, network: "a", period: MonthPeriod(2024, 3)}] {
			t.Errorf("reader %d got %v; want the computed pattern", i, h)
		}
	}
	if h, ok := c.get(key); !ok || len(h) != 1 {
		t.Errorf("the cache holds %v, %v after the computation; want the pattern", h, ok)
	}
}

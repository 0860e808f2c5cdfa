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

// TestAReaderWhoCannotWaitGetsTheLatestRelease: with the shared cache, a reader whose new
// release's protection takes longer than the wait is answered from the latest release (already
// published), and a reader after the protection has landed makes the release.
func TestAReaderWhoCannotWaitGetsTheLatestRelease(t *testing.T) {
	m := MonthPeriod(2024, 3)
	before := []*Report{monthReport(t, "a", m, 70, 30), monthReport(t, "b", m, 73, 30)}
	after := append(append([]*Report(nil), before...), monthReport(t, "c", m, 2, 1))
	log := memoryReleases{}
	cache := NewPatternCache(8)
	read := func(rs []*Report, wait time.Duration) *Publisher {
		t.Helper()
		p := NewPublisher(rs, nil, DefaultThreshold, Actor{}).UseCache(cache)
		p.releaseWait = wait
		if err := p.UseReleases(context.Background(), log); err != nil {
			t.Fatalf("UseReleases: %v", err)
		}
		return p
	}
	read(before, time.Minute)
	cache.mu.Lock()
	cached := len(cache.entries)
	cache.mu.Unlock()
	p := read(after, 0)
	if n := len(log[2024]); n != 1 {
		t.Fatalf("2024 has %d releases after a reader who could not wait; want still 1", n)
	}
	if got, err := p.Figures("c", m, Month); err != nil || got.Victims.Present {
		t.Errorf("c's March for the reader who could not wait = %+v, %v; want absent, as in release 1", got.Victims, err)
	}
	for { // until the protection lands in the cache
		cache.mu.Lock()
		running := len(cache.inFlight) > 0
		cache.mu.Unlock()
		if !running {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cache.mu.Lock()
	landed := len(cache.entries) > cached
	cache.mu.Unlock()
	if !landed {
		t.Fatal("the protection the reader could not wait for did not land in the cache")
	}
	read(after, time.Minute)
	if n := len(log[2024]); n != 2 {
		t.Errorf("2024 has %d releases after the protection landed; want 2", n)
	}
}

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

// TestAReadComputesNoProtection: a reader is answered from the latest release, recorded with its
// pattern, whatever the reports are now: a new state computes no protection, lands nothing in
// the cache and records no release; the next publication makes it the answer.
func TestAReadComputesNoProtection(t *testing.T) {
	m := MonthPeriod(2024, 3)
	before := []*Report{monthReport(t, "a", m, 70, 30), monthReport(t, "b", m, 73, 30)}
	after := append(append([]*Report(nil), before...), monthReport(t, "c", m, 2, 1))
	log := memoryReleases{}
	cache := NewPatternCache(8)
	read := func(rs []*Report) *Publisher {
		t.Helper()
		p := NewPublisher(rs, nil, DefaultThreshold, Actor{}).UseCache(cache)
		if err := p.UseReleases(context.Background(), log, FirstYear, LastYear); err != nil {
			t.Fatalf("UseReleases: %v", err)
		}
		return p
	}
	publish(t, before, DefaultThreshold, log)
	cache.mu.Lock()
	cached := len(cache.entries)
	cache.mu.Unlock()
	p := read(after)
	for _, k := range []cellKey{{kind: victimsCell, network: "c", period: m}, {kind: victimsCell, period: m}} {
		if _, err := p.publish(k, 0, true, Month); err != nil {
			t.Fatalf("publish %v: %v", k, err)
		}
	}
	if got, err := p.Figures("c", m, Month); err != nil || got.Victims.Present {
		t.Errorf("c's March before the next publication = %+v, %v; want absent, as in release 1", got.Victims, err)
	}
	if got, err := p.Figures("", m, Month); err != nil || got.Victims.Value != 143 || got.Victims.Hidden {
		t.Errorf("the département's March before the next publication = %+v, %v; want 143, release 1's", got.Victims, err)
	}
	cache.mu.Lock()
	grown, running := len(cache.entries) > cached, len(cache.inFlight) > 0
	cache.mu.Unlock()
	if grown || running || len(log[2024]) != 1 {
		t.Errorf("a read computed a protection (cache grew %v, in flight %v) or recorded a release (%d); want neither", grown, running, len(log[2024]))
	}
	publish(t, after, DefaultThreshold, log)
	if got, err := read(after).Figures("c", m, Month); err != nil || !got.Victims.Present {
		t.Errorf("c's March after the next publication = %+v, %v; want present", got.Victims, err)
	}
}

// TestAReleaseRecordedWithoutItsPatternIsStillRead: releases recorded before every release had
// its pattern (release 1 of a year, made then by the first protected read) are read as they
// are: their figures, protected again as a single state, and release 2 protected against it.
func TestAReleaseRecordedWithoutItsPatternIsStillRead(t *testing.T) {
	m := MonthPeriod(2024, 3)
	before := []*Report{monthReport(t, "a", m, 70, 30), monthReport(t, "b", m, 73, 30), monthReport(t, "c", m, 2, 1)}
	log := memoryReleases{}
	publish(t, before, DefaultThreshold, log)
	log[2024][0].Hidden, log[2024][0].PublishTime = nil, time.Time{} // as an implicit release was recorded
	now := append(append([]*Report(nil), before...), monthReport(t, "d", m, 40, 10))
	p := NewPublisher(now, nil, DefaultThreshold, Actor{})
	if err := p.UseReleases(context.Background(), log, FirstYear, LastYear); err != nil {
		t.Fatalf("UseReleases over a release without its pattern: %v", err)
	}
	if got, err := p.Figures("c", m, Month); err != nil || !got.Victims.Hidden {
		t.Errorf("c's March of 2 from release 1 = %+v, %v; want hidden", got.Victims, err)
	}
	if got, err := p.Figures("d", m, Month); err != nil || got.Victims.Present {
		t.Errorf("d's March, not in release 1 = %+v, %v; want absent", got.Victims, err)
	}
	publish(t, now, DefaultThreshold, log)
	if n := len(log[2024]); n != 2 || log[2024][1].Hidden == nil {
		t.Fatalf("2024 has %d releases; want 2, the second with its pattern", n)
	}
	if got, err := publisher(t, now, DefaultThreshold, Actor{}, log).Figures("c", m, Month); err != nil || !got.Victims.Hidden {
		t.Errorf("c's March of 2 from release 2 = %+v, %v; want hidden", got.Victims, err)
	}
}

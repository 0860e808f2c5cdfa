package domain

import (
	"context"
	"maps"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
)

// countingReleases is a release log in memory that counts the releases read whole.
type countingReleases struct {
	memoryReleases
	read atomic.Int64
}

func (c *countingReleases) LastRelease(ctx context.Context, year int) (Release, bool, error) {
	c.read.Add(1)
	return c.memoryReleases.LastRelease(ctx, year)
}

// TestTheReleaseCacheAnswersFromTheLatestRelease: readers through one ReleaseCache answer as
// readers without it do, read a year's release whole once however many come after the first
// (eight at once here: the race detector watches the release they share), and answer from a new
// release as soon as it is published.
func TestTheReleaseCacheAnswersFromTheLatestRelease(t *testing.T) {
	ctx := context.Background()
	m := MonthPeriod(2024, 3)
	before := []*Report{monthReport(t, "a", m, 70, 30), monthReport(t, "b", m, 73, 30)}
	after := append(append([]*Report(nil), before...), monthReport(t, "c", m, 2, 1))
	log := &countingReleases{memoryReleases: memoryReleases{}}
	cache := NewReleaseCache()
	read := func(rs []*Report, cached bool) (*Publisher, error) {
		p := NewPublisher(rs, nil, DefaultThreshold, Actor{})
		var from ReleaseLog = log.memoryReleases // the same releases, read whole each time
		if cached {
			p, from = p.UseReleaseCache(cache), log
		}
		return p, p.UseReleases(ctx, from, 2024, 2024)
	}
	// sameAnswers reads rs through the cache once, then eight times at once, and compares each
	// with a reader without the cache.
	sameAnswers := func(t *testing.T, rs []*Report) *Publisher {
		t.Helper()
		want, err := read(rs, false)
		if err != nil {
			t.Fatalf("UseReleases: %v", err)
		}
		got := make([]*Publisher, 9)
		errs := make([]error, len(got))
		got[0], errs[0] = read(rs, true)
		var wg sync.WaitGroup
		for i := 1; i < len(got); i++ {
			wg.Go(func() { got[i], errs[i] = read(rs, true) })
		}
		wg.Wait()
		for i, p := range got {
			if errs[i] != nil {
				t.Fatalf("UseReleases through the cache: %v", errs[i])
			}
			if !reflect.DeepEqual(p.figures, want.figures) || !maps.Equal(p.released[2024], want.released[2024]) {
				t.Fatalf("through the cache: figures %v, pattern %v; without it: %v, %v", p.figures, p.released[2024], want.figures, want.released[2024])
			}
			for _, scope := range []string{"", "a", "b", "c"} {
				g, err1 := p.Figures(scope, m, Month)
				w, err2 := want.Figures(scope, m, Month)
				if err1 != nil || err2 != nil || !reflect.DeepEqual(g, w) {
					t.Fatalf("%q's March through the cache = %+v, %v; without it %+v, %v", scope, g, err1, w, err2)
				}
			}
		}
		return got[0]
	}

	publish(t, before, DefaultThreshold, log)
	// c reports late: until the next publication, the readers answer from release 1, which
	// has no figure of c.
	p := sameAnswers(t, after)
	if _, ok := p.figures["c"][m]; ok {
		t.Errorf("c's March is answered before it is published: %v", p.figures["c"])
	}
	if n := log.read.Load(); n != 1 {
		t.Errorf("release 1 read whole %d times by nine readers; want once", n)
	}

	publish(t, after, DefaultThreshold, log)
	if len(log.memoryReleases[2024]) != 2 {
		t.Fatalf("2024 has %d releases; want 2", len(log.memoryReleases[2024]))
	}
	p = sameAnswers(t, after)
	if _, ok := p.figures["c"][m]; !ok {
		t.Errorf("c's March is not answered from release 2: %v", p.figures)
	}
	h, err := patternOf(log.memoryReleases[2024][1].Hidden)
	if err != nil || !maps.Equal(p.released[2024], h) {
		t.Errorf("the pattern answered with = %v, %v; want release 2's, %v", p.released[2024], err, h)
	}
	if n := log.read.Load(); n != 2 {
		t.Errorf("releases read whole %d times; want twice, once each", n)
	}
}

package domain

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"sync"
)

// UseCache makes p look its patterns up in c, and store there those it computes; it returns p.
func (p *Publisher) UseCache(c *PatternCache) *Publisher {
	p.cache = c
	return p
}

// PatternCache keeps the hidden patterns of years across Publishers (across requests): a
// pattern is the same for every viewer, and computing one down to the months is the costly part
// of an answer. An entry is keyed by the year, the depth, the threshold and a digest of every
// figure the pattern depends on (each network's figures of the year, the networks that have
// any): a new report or a correction changes the digest, so a stale pattern is never served.
// It holds at most its capacity of patterns, the oldest stored going first. Safe for concurrent
// use.
type PatternCache struct {
	mu       sync.Mutex
	limit    int
	entries  map[[sha256.Size]byte]map[cellKey]bool
	order    [][sha256.Size]byte
	inFlight map[[sha256.Size]byte]*computation
}

// computation is a pattern being computed for do; done is closed when h and err are set.
type computation struct {
	done chan struct{}
	h    map[cellKey]bool
	err  error
}

// NewPatternCache returns a cache of at most limit patterns (at least 1).
func NewPatternCache(limit int) *PatternCache {
	return &PatternCache{limit: max(limit, 1), entries: map[[sha256.Size]byte]map[cellKey]bool{},
		inFlight: map[[sha256.Size]byte]*computation{}}
}

// do returns the pattern of key: from the cache, or computed by compute once for all the
// readers who ask for it meanwhile. The computation does not belong to the reader who started
// it: it goes on when that reader has gone (its context without the cancellation), and lands in
// the cache for the next one, so that a pattern longer to compute than a reader waits is still
// computed once, not started again and given up by every reader. A reader stops waiting when ctx
// is done.
func (c *PatternCache) do(ctx context.Context, key [sha256.Size]byte, compute func(context.Context) (map[cellKey]bool, error)) (map[cellKey]bool, error) {
	c.mu.Lock()
	if h, ok := c.entries[key]; ok {
		c.mu.Unlock()
		return h, nil
	}
	run, ok := c.inFlight[key]
	if !ok {
		run = &computation{done: make(chan struct{})}
		c.inFlight[key] = run
		go func() {
			run.h, run.err = compute(context.WithoutCancel(ctx))
			if run.err == nil {
				c.put(key, run.h)
			}
			c.mu.Lock()
			delete(c.inFlight, key)
			c.mu.Unlock()
			close(run.done)
		}()
	}
	c.mu.Unlock()
	select {
	case <-run.done:
		if err := ctx.Err(); err != nil { // gone meanwhile: the same answer either way
			return nil, err
		}
		return run.h, run.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *PatternCache) get(k [sha256.Size]byte) (map[cellKey]bool, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.entries[k]
	return h, ok
}

func (c *PatternCache) put(k [sha256.Size]byte, h map[cellKey]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[k]; ok {
		return
	}
	if len(c.order) >= c.limit {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
	c.entries[k] = h
	c.order = append(c.order, k)
}

// stateDigest names the state of the year's figures, whatever the depth and the threshold.
func (y *yearTable) stateDigest() [sha256.Size]byte { return y.digest(0, 0) }

// digest names what a year's pattern down to depth is computed from.
func (y *yearTable) digest(depth Granularity, threshold int64) [sha256.Size]byte {
	h := sha256.New()
	var buf []byte
	num := func(v int64) { buf = binary.AppendVarint(buf, v) }
	str := func(s string) { num(int64(len(s))); buf = append(buf, s...) }
	num(int64(y.year))
	num(int64(depth))
	num(threshold)
	num(int64(len(y.ids)))
	yp := YearPeriod(y.year)
	periods := []Period{yp}
	for g := Quarter; g <= Month; g++ {
		periods = append(periods, yp.Expand(g)...)
	}
	for _, id := range y.ids {
		str(id)
		for _, p := range periods {
			f, ok := y.figures[id][p]
			if !ok {
				continue
			}
			str(p.String())
			if f.Derived {
				num(1)
			} else {
				num(0)
			}
			num(f.Counts.Victims)
			num(f.Counts.Children)
			for _, bs := range f.Counts.Breakdowns {
				num(int64(len(bs)))
				for _, v := range bs {
					num(v)
				}
			}
		}
		h.Write(buf)
		buf = buf[:0]
	}
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}

package domain

import (
	"context"
	"sync"
)

// ReleaseCache keeps each year's latest release as read, with its pattern, across Publishers
// (across requests), so that a protected answer does not read and decode the release's figures
// and pattern again for every year it covers. A recorded release never changes: a later
// publication is a release of its own, with the next number. So the latest release of a year,
// once read, is the year's latest for as long as ReleaseLog.LatestRelease (one row by primary
// key, without the figures) gives its number and digest. It holds one release per year. The
// releases and patterns it hands out are shared by every reader: nothing changes them, as
// nothing changes a PatternCache's patterns. Safe for concurrent use.
type ReleaseCache struct {
	mu     sync.Mutex
	latest map[int]cachedRelease
}

type cachedRelease struct {
	Release
	pattern map[cellKey]bool // Hidden read back (patternOf); nil when Hidden is
}

// NewReleaseCache returns an empty cache.
func NewReleaseCache() *ReleaseCache { return &ReleaseCache{latest: map[int]cachedRelease{}} }

// UseReleaseCache makes p read the years' latest releases through c (see UseReleases); it
// returns p.
func (p *Publisher) UseReleaseCache(c *ReleaseCache) *Publisher {
	p.releases = c
	return p
}

// last is year's latest release in log, with its recorded pattern read back (nil when it has
// none), from c when c holds it; false when the year has no release.
func (c *ReleaseCache) last(ctx context.Context, log ReleaseLog, year int) (cachedRelease, bool, error) {
	if c != nil {
		number, digest, err := log.LatestRelease(ctx, year)
		if err != nil || number == 0 {
			return cachedRelease{}, false, err
		}
		c.mu.Lock()
		r, ok := c.latest[year]
		c.mu.Unlock()
		if ok && r.Number == number && r.Digest == digest {
			return r, true, nil
		}
	}
	last, ok, err := log.LastRelease(ctx, year)
	if err != nil || !ok {
		return cachedRelease{}, false, err
	}
	r := cachedRelease{Release: last}
	if last.Hidden != nil {
		if r.pattern, err = patternOf(last.Hidden); err != nil {
			return cachedRelease{}, false, err
		}
	}
	if c != nil {
		// A publication since LatestRelease makes it a later release than that number: kept all
		// the same, the next read finds it, or reads the latest again.
		c.mu.Lock()
		c.latest[year] = r
		c.mu.Unlock()
	}
	return r, true, nil
}

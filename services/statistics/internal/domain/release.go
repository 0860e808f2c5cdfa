package domain

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Releases: what has been published stays known
//
// A year's figures change after they were first published: a late report, a correction. A
// reader who kept the earlier answers can difference them with the new ones (the département's
// March went from 143 to 145: the late network's count is 2). So publication is explicit and
// recorded: a release of a year is the state of the year's figures (each network's figures of
// its periods) when an admin published it (NextRelease), with the pattern it was protected
// with. A reader not entitled to raw figures is answered, for each year, from the year's latest
// release only, never from the live reports; a year with no release has no figure for them. The
// next release's protection takes every earlier release as known to the attacker:
//
//   - the attacker's table is the union of every release's table (all its figures down to the
//     months, with their relations), with the buckets withheld by rule (each network's, the
//     département's of the quarters and months: protection.go) as hidden cells; a figure is one
//     cell of the union while no report under its period changed, as for the reader below (a
//     network's figure: the network's reports; a département figure: any network's), one cell
//     per state of them else (readerDigest, union.go); but in a year reported by quarter or
//     month, whose union does not hold the withheld buckets, a département bucket is one cell
//     while its value and every network's part of it are the same (parts, union.go);
//   - a cell an earlier release published is published (known), one it hid stays hidden;
//   - the new release's other figures are decided by disclosure.ProtectWith on the union (but
//     the withheld buckets' relations), then disclosure.Widen gives every hidden figure of any
//     release, old values and withheld buckets included, its protection interval against the
//     public and each coordinator (who knows their network's figures in every release), hiding
//     network figures rather than the totals above them where it can (the département's figures
//     and each network's year are kept shown first: shown, union.go), and the union is checked
//     with disclosure.Disclosed. A withheld bucket is owed what the single-state rule gives it:
//     no count from 1 to threshold-1 (less the reader's part) narrowed; a 0 or a larger count
//     may be given away, as one state gives away a bucket that is 0 or a published margin. So
//     a correction hides only what the difference of two releases would narrow.
//
// The reader. A reader of every release knows each release's published values and the
// relations, a coordinator their own network's figures in every release, and which reports
// changed from one release to the next (the revision numbers, public through GetReport and
// listRevisions, say so): a figure is unchanged when no report under its period changed (for a
// network's figure, that network's; for a département figure, any network's). Nothing tells
// them that a hidden figure whose reports changed kept its value (a withheld April bucket that
// is 5 in releases 1 and 3 and 4 in between: they cannot take release 3's for release 1's, which
// would pin a late network's 1 under it); two published values they know anyway. The union is
// that reader, but for the département buckets of a year reported by quarter or month: it takes
// one of them whose value and parts are the same in two releases for one cell, though reports
// under it changed. That only adds equations that hold, so a hidden figure keeps against the
// reader at least the interval it keeps in the union. (A union that took every figure of the
// same value for one cell was stronger still, and lent a département figure the exemption it
// had in one release to a later one where the reader could not compute it: a late network's 0,
// hidden, then given away by the next release, pinned the total of the release before.)
//
// The guarantee: no hidden figure of any release whose value is v ≥ 1 (for a coordinator, less
// their own part; for a withheld bucket, v from 1 to threshold-1) can be narrowed below the
// protection level by that reader, with one exception that tells nothing: a département figure
// whose part not theirs (the figure less their own part) a coordinator can compute from what
// they knew before the release (what the earlier releases published, their own network's
// figures) and what the release publishes gets no interval against that coordinator. Hiding it
// protects nothing against them: they know it, shown or not, and it tells them nothing that the
// figures shown and what they knew do not; each other network's part of it is a figure
// protected on its own, so a small part not theirs is still narrowed nowhere. That includes a
// figure of which their part is 0; a département bucket whose other networks' parts did not
// change since a release that gave them away (release 1 publishes a bucket of 13, 7 theirs;
// release 2 changes only their part, to 0: the bucket, 6, is known to them, hidden or not); and
// a total that a late network's published 0 leaves at what they knew (release 1 publishes 25, 1
// theirs; release 2 changes their part to 15 and hides the total, 39; release 3 adds a
// network's 0, shown, and hides the total again: 24 + 15 + 0). The engine exempts the figures
// whose part not theirs follows in the union from the earlier releases' published figures and
// their own (exempt) and protects the others, or does not release. The union's only equations
// beyond the reader's are of département buckets that kept their value and parts; where it has
// them (a year reported by quarter or month), what follows is decided on the reader's own table
// (readerCells), so what the engine exempts follows for the reader: that is checked by the
// property tests (release_property_test.go, which attack every sequence of releases as that
// reader, exemption included), not proven for every table. A cell exempt for a coordinator is known to them: no
// witness against them moves it. A département figure that keeps an earlier release's value while
// the networks' parts of it moved is a cell of its own: as one cell of the union, the
// coordinator whose part changed would learn the other networks' change exactly, which Widen
// (it protects a département figure less a coordinator's part) could not hide.
//
// Every release records its pattern (Release.Hidden), the first one's computed as any single
// state (level by level, see protection.go, down to the months): answers from it, and the
// protection of the releases after it, read it back rather than compute it again, so what was
// published stays what is published after a restart or a change of this code, a read never
// computes a protection, and a year's history costs one protection per publication. Releases
// recorded before publication was explicit (made by the first protected read after a change)
// are read as they are: a first release without a pattern is protected again at each depth as
// before, a later one without a pattern is protected again against the earlier ones.
//
// A coordinator sees their own network's figures raw and live; the département's and the other
// networks' come from the release, as for the public. Raw readers make no release.

// Release is one recorded state of a year's figures.
type Release struct {
	Year, Number int
	// Digest names the state (see yearTable.stateDigest): two states with the same figures have
	// the same digest.
	Digest  [sha256.Size]byte
	Figures map[string]Figures // by network, the periods of Year only
	// Hidden names the figures the release hid (cellNames), as it was published; nil for a
	// release recorded before patterns were (see above).
	Hidden []string
	// PublishTime is when an admin published it; zero for a release a read recorded before
	// publication was explicit.
	PublishTime time.Time
}

// ReleaseName is the resource name of a release, e.g. "years/2024/releases/3".
func ReleaseName(year, number int) string { return fmt.Sprintf("years/%d/releases/%d", year, number) }

// cellName is a cell's name in Release.Hidden: kind/network/dimension/bucket/period (network
// ids hold no "/").
func (k cellKey) cellName() string {
	return fmt.Sprintf("%d/%s/%d/%d/%s", k.kind, k.network, k.dim, k.bucket, k.period)
}

// cellNames are the names of a pattern's hidden cells, sorted.
func cellNames(h map[cellKey]bool) []string {
	out := make([]string, 0, len(h))
	for k, hidden := range h {
		if hidden {
			out = append(out, k.cellName())
		}
	}
	sort.Strings(out)
	return out
}

// patternOf reads back a pattern that cellNames wrote.
func patternOf(names []string) (map[cellKey]bool, error) {
	h := make(map[cellKey]bool, len(names))
	for _, name := range names {
		var k cellKey
		parts := strings.Split(name, "/")
		if len(parts) != 5 {
			return nil, fmt.Errorf("statistics: %q names no figure", name)
		}
		kind, err1 := strconv.Atoi(parts[0])
		dim, err2 := strconv.Atoi(parts[2])
		bucket, err3 := strconv.Atoi(parts[3])
		period, err4 := ParsePeriod(parts[4])
		if err := errors.Join(err1, err2, err3, err4); err != nil || kind < 0 || kind > int(bucketCell) {
			return nil, fmt.Errorf("statistics: %q names no figure", name)
		}
		k.kind, k.network, k.dim, k.bucket, k.period = cellKind(kind), parts[1], dim, bucket, period
		h[k] = true
	}
	return h, nil
}

// ErrReleaseTaken means that another publication recorded a release with that number first.
var ErrReleaseTaken = errors.New("statistics: the release number is taken")

// ReleaseLog records the releases of each year.
type ReleaseLog interface {
	// LatestRelease returns the number (0: none yet) and the digest of a year's latest release.
	LatestRelease(ctx context.Context, year int) (number int, digest [sha256.Size]byte, err error)
	// Releases returns every release of a year, oldest first.
	Releases(ctx context.Context, year int) ([]Release, error)
	// LastRelease returns a year's latest release; false when it has none.
	LastRelease(ctx context.Context, year int) (Release, bool, error)
	// ReleasedYears returns the years from..to (inclusive) that have a release, in order.
	ReleasedYears(ctx context.Context, from, to int) ([]int, error)
	// AddRelease records r, whose number must follow the latest; ErrReleaseTaken when another
	// publication took it first.
	AddRelease(ctx context.Context, r Release) error
}

// UseReleases makes p answer from the releases of log (ctx is the request's) for the years
// from..to: for each year with a release or a figure, from the year's latest release, its
// figures with the pattern it recorded, and no figure for a year with no release. The networks
// the viewer sees raw keep their live figures: those are the only reports p needs to have been
// given (NewPublisher). A viewer who sees every figure raw needs none of it. It computes no
// protection but for a release recorded without its pattern (see above).
func (p *Publisher) UseReleases(ctx context.Context, log ReleaseLog, from, to int) error {
	if p.viewer.SeesAllRaw() {
		return nil
	}
	released, err := log.ReleasedYears(ctx, from, to)
	if err != nil {
		return err
	}
	p.live = map[string]Figures{}
	years := map[int]bool{}
	for _, y := range released {
		years[y] = true
	}
	for id, f := range p.figures {
		if p.viewer.SeesRaw(id) {
			p.live[id] = f
		}
		for period := range f {
			years[period.Year()] = true
		}
	}
	// Every figure is of one of these years, each answered from its latest release: none of the
	// live figures stays (each network keeps its entry, emptied).
	for id := range p.figures {
		p.figures[id] = Figures{}
	}
	for _, year := range sortedYears(years) {
		if err := p.keep(ctx, log, year); err != nil {
			return err
		}
	}
	known := map[string]bool{}
	for id := range p.population {
		known[id] = true
	}
	for id, f := range p.figures {
		if len(f) > 0 {
			known[id] = true
		}
	}
	for id := range p.live {
		known[id] = true
	}
	p.networks = networkIDs(known)
	return nil
}

func sortedYears(m map[int]bool) []int {
	var out []int
	for y := range m {
		out = append(out, y)
	}
	sort.Ints(out)
	return out
}

// NextRelease computes the next release of year from p's figures, the year's current state:
// its figures and the pattern of their protection against hist, the year's releases so far,
// oldest first (the first release is protected as any single state). It does not record it.
// ErrNothingToPublish when the state is the latest release's, or the year has no figure;
// ErrUnpublishable when it cannot be protected.
func (p *Publisher) NextRelease(ctx context.Context, year int, hist []Release) (Release, error) {
	// The state is the year's figures only: the networks that have one (a query over other
	// years sees other networks, not another state).
	y := &yearTable{year: year, figures: p.figures}
	for _, id := range networkIDs(p.figures) {
		for period := range p.figures[id] {
			if period.Year() == year {
				y.ids = append(y.ids, id)
				break
			}
		}
	}
	this := Release{Year: year, Number: len(hist) + 1, Digest: y.stateDigest(), Figures: y.yearFigures()}
	if len(y.ids) == 0 || (len(hist) > 0 && hist[len(hist)-1].Digest == this.Digest) {
		return Release{}, fmt.Errorf("%d: %w", year, ErrNothingToPublish)
	}
	var h map[cellKey]bool
	var err error
	if len(hist) == 0 {
		h, err = y.protect(Month, p.threshold)
	} else {
		h, err = p.releasePatterns(ctx, append(hist, this))
	}
	if err != nil {
		return Release{}, err
	}
	this.Hidden = cellNames(h)
	return this, nil
}

// keep makes p answer for year from its latest release: its figures are the year's (UseReleases
// has taken the live ones out), and its pattern is the year's.
func (p *Publisher) keep(ctx context.Context, log ReleaseLog, year int) error {
	last, ok, err := p.releases.last(ctx, log, year)
	if err != nil {
		return err
	}
	if !ok {
		return nil
	}
	for id, f := range last.Figures {
		if p.figures[id] == nil {
			p.figures[id] = Figures{}
		}
		for period, v := range f {
			p.figures[id][period] = v
		}
	}
	h := last.pattern
	if last.Hidden == nil {
		if last.Number == 1 {
			return nil // recorded without its pattern: protected as any single state (pattern)
		}
		hist, err := log.Releases(ctx, year)
		if err != nil {
			return err
		}
		if h, err = p.releasePatterns(ctx, hist); err != nil {
			return err
		}
	}
	p.released[year] = h
	return nil
}

// yearFigures are each network's figures of the year's periods.
func (y *yearTable) yearFigures() map[string]Figures {
	out := map[string]Figures{}
	for _, id := range y.ids {
		f := Figures{}
		for p, v := range y.figures[id] {
			if p.Year() == y.year {
				f[p] = v
			}
		}
		if len(f) > 0 {
			out[id] = f
		}
	}
	return out
}

// releasePatterns computes the pattern of each release of a year, the first as protection.go
// does, each later one against the union of it and all before it (see above), or reads it back
// from what the release recorded (Hidden) when it has it. It returns the last release's pattern.
func (p *Publisher) releasePatterns(ctx context.Context, hist []Release) (map[cellKey]bool, error) {
	year := hist[0].Year
	tables := make([]*yearTable, len(hist))
	for r, rel := range hist {
		tables[r] = &yearTable{year: year, figures: rel.Figures, ids: networkIDs(rel.Figures)}
	}
	var patterns []map[cellKey]bool
	h := sha256.New()
	fmt.Fprintf(h, "releases of %d at threshold %d:", year, p.threshold)
	for r := range hist {
		h.Write(hist[r].Digest[:])
		var key [sha256.Size]byte // the releases up to r
		copy(key[:], h.Sum(nil))
		earlier := patterns
		compute := func(ctx context.Context) (map[cellKey]bool, error) {
			switch {
			case hist[r].Hidden != nil: // as it was published
				return patternOf(hist[r].Hidden)
			case r == 0:
				return tables[0].protect(Month, p.threshold)
			}
			return protectAgainst(ctx, tables[:r+1], earlier, p.threshold)
		}
		var pat map[cellKey]bool
		var err error
		if p.cache != nil {
			pat, err = p.cache.do(ctx, key, compute)
		} else {
			pat, err = compute(ctx)
		}
		if err != nil {
			return nil, err
		}
		patterns = append(patterns, pat)
	}
	return patterns[len(patterns)-1], nil
}

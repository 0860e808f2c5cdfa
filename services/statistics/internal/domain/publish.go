package domain

import (
	"crypto/sha256"
	"math"

	"github.com/vif71/vif/services/statistics/internal/domain/disclosure"
)

// Count is a figure as it leaves the service: a value; a count that exists but is withheld
// (Hidden, with no value); or nothing (not Present: nobody reported it).
type Count struct {
	Value   int64
	Present bool
	Hidden  bool
}

// Ratio is a rate or a percentage as it leaves the service: hidden whenever a count it is computed
// from is hidden; not Present when it cannot be computed (no figure, a base of zero).
type Ratio struct {
	Value   float64
	Present bool
	Hidden  bool
}

// PublishedCounts are the totals and breakdowns of a period as published.
type PublishedCounts struct {
	Victims, Children Count
	Breakdowns        [][]Count // [dimension][bucket], as in Counts
}

// Publisher answers queries over a set of reports for one viewer: it rolls the reports up, and
// protects every figure the viewer is not entitled to see raw (see protection.go). Patterns are
// computed once per year and depth and reused within the Publisher.
type Publisher struct {
	figures    map[string]Figures // by network id
	population map[string]int64   // by network id, from the directory
	networks   []string           // the directory's networks and any other that reported, in order
	threshold  int64
	viewer     Actor
	patterns   map[patternKey]map[cellKey]bool
	cache      *PatternCache
	released   map[int]map[cellKey]bool // by year, the pattern of its latest release (UseReleases)
	releases   *ReleaseCache            // where UseReleases reads the latest releases; nil: from the log
	// live are the figures, raw and live, of the networks the viewer sees raw, when figures
	// holds the releases' (UseReleases); nil otherwise.
	live map[string]Figures
}

type patternKey struct {
	year  int
	depth Granularity
}

// NewPublisher prepares the answers to viewer from the latest revision of every report of the
// years concerned (all networks' reports: the département's figures and the protection of any
// network's figures depend on all of them), and the directory's networks. A Publisher that
// answers from the releases (UseReleases) needs only the reports of the networks the viewer sees
// raw.
func NewPublisher(reports []*Report, networks []Network, threshold int64, viewer Actor) *Publisher {
	byNetwork := map[string][]*Report{}
	for _, r := range reports {
		byNetwork[r.Network] = append(byNetwork[r.Network], r)
	}
	p := &Publisher{
		figures:    map[string]Figures{},
		population: map[string]int64{},
		threshold:  threshold,
		viewer:     viewer,
		patterns:   map[patternKey]map[cellKey]bool{},
		released:   map[int]map[cellKey]bool{},
	}
	for id, rs := range byNetwork {
		p.figures[id] = RollUp(rs)
	}
	known := map[string]bool{}
	for _, n := range networks {
		p.population[n.ID] = n.Population
		known[n.ID] = true
	}
	for id := range p.figures {
		known[id] = true
	}
	p.networks = networkIDs(known)
	return p
}

// raw reports whether the viewer sees a cell's raw value.
func (p *Publisher) raw(k cellKey) bool {
	if k.network == "" {
		return p.viewer.SeesAllRaw()
	}
	return p.viewer.SeesRaw(k.network)
}

// pattern returns the hidden figures of a year down to depth.
func (p *Publisher) pattern(year int, depth Granularity) (map[cellKey]bool, error) {
	key := patternKey{year, depth}
	if h, ok := p.patterns[key]; ok {
		return h, nil
	}
	y := &yearTable{year: year, figures: p.figures, ids: networkIDs(p.figures)}
	if h, ok := p.released[year]; ok {
		// Later releases are protected down to the months whatever the depth asked: what an
		// earlier one published is what its monthly answers did.
		return h, nil
	}
	var digest [sha256.Size]byte
	if p.cache != nil {
		digest = y.digest(depth, p.threshold)
		if h, ok := p.cache.get(digest); ok {
			p.patterns[key] = h
			return h, nil
		}
	}
	h, err := y.protect(depth, p.threshold)
	if err != nil {
		return nil, err
	}
	p.patterns[key] = h
	if p.cache != nil {
		p.cache.put(digest, h)
	}
	return h, nil
}

// members lists the networks with a figure for period, in order.
func (p *Publisher) members(period Period) []string {
	var out []string
	for _, id := range p.networks {
		if _, ok := p.figures[id][period]; ok {
			out = append(out, id)
		}
	}
	return out
}

// figuresOf are a network's figures as p answers them: live for a network the viewer sees raw,
// else the releases'.
func (p *Publisher) figuresOf(id string) Figures {
	if f, ok := p.live[id]; ok {
		return f
	}
	return p.figures[id]
}

// counts returns the raw counts of a scope (a network id, "" for the département) for a period,
// and whether there is a figure.
func (p *Publisher) counts(scope string, period Period) (Counts, bool) {
	if scope != "" {
		f, ok := p.figuresOf(scope)[period]
		return f.Counts, ok
	}
	ms := p.members(period)
	total := ZeroCounts()
	for _, id := range ms {
		total.Accumulate(p.figures[id][period].Counts)
	}
	return total, len(ms) > 0
}

// publish returns a cell as the viewer may see it; value is its raw value, present whether it
// exists; depth is the query's, for the pattern.
func (p *Publisher) publish(k cellKey, value int64, present bool, depth Granularity) (Count, error) {
	if !present {
		return Count{}, nil
	}
	if p.raw(k) {
		return Count{Value: value, Present: true}, nil
	}
	hidden, err := p.pattern(k.period.Year(), max(depth, k.period.Granularity()))
	if err != nil {
		return Count{}, err
	}
	if hidden[k] {
		return Count{Present: true, Hidden: true}, nil
	}
	return Count{Value: value, Present: true}, nil
}

// Figures returns the published totals and breakdowns of a scope for a period. Breakdowns are raw
// for an entitled viewer. For anyone else the département's yearly breakdowns are protected, and
// a network's breakdowns and the département's finer ones are withheld (see protection.go) but
// where what is published gives them away anyway (a total of 0, see networkBucket).
func (p *Publisher) Figures(scope string, period Period, depth Granularity) (PublishedCounts, error) {
	c, ok := p.counts(scope, period)
	out := PublishedCounts{Breakdowns: make([][]Count, len(Dimensions))}
	var err error
	if out.Victims, err = p.publish(cellKey{kind: victimsCell, network: scope, period: period}, c.Victims, ok, depth); err != nil {
		return PublishedCounts{}, err
	}
	if out.Children, err = p.publish(cellKey{kind: childrenCell, network: scope, period: period}, c.Children, ok, depth); err != nil {
		return PublishedCounts{}, err
	}
	for d, dim := range Dimensions {
		out.Breakdowns[d] = make([]Count, len(dim.Buckets))
		for b := range dim.Buckets {
			k := cellKey{kind: bucketCell, network: scope, dim: d, bucket: b, period: period}
			switch {
			case !ok:
			case p.raw(k) || (scope == "" && period.Granularity() == Year):
				if out.Breakdowns[d][b], err = p.publish(k, c.Breakdowns[d][b], true, depth); err != nil {
					return PublishedCounts{}, err
				}
			case out.Victims.Present && !out.Victims.Hidden && out.Victims.Value == 0:
				out.Breakdowns[d][b] = Count{Present: true}
			case scope != "" && period.Granularity() == Year:
				if out.Breakdowns[d][b], err = p.networkBucket(k, depth); err != nil {
					return PublishedCounts{}, err
				}
			default:
				out.Breakdowns[d][b] = Count{Present: true, Hidden: true}
			}
		}
		if scope != "" && period.Granularity() == Year && !p.raw(cellKey{kind: bucketCell, network: scope, period: period}) {
			derive(out.Breakdowns[d], out.Victims)
		}
	}
	return out, nil
}

// derive publishes the one withheld bucket of a network's yearly breakdown whose value the
// published figures give anyway: the network's published victims less its other buckets, all
// published (0s, see networkBucket). Hiding it would pretend to protect what every reader can
// compute; it is the network's victims, or 0.
func derive(buckets []Count, victims Count) {
	if !victims.Present || victims.Hidden {
		return
	}
	hidden, rest := -1, victims.Value
	for b, c := range buckets {
		switch {
		case !c.Present:
			return
		case c.Hidden && hidden >= 0:
			return
		case c.Hidden:
			hidden = b
		default:
			rest -= c.Value
		}
	}
	if hidden >= 0 && rest >= 0 {
		buckets[hidden] = Count{Value: rest, Present: true}
	}
}

// networkBucket publishes a bucket of a network's yearly breakdown to a viewer not entitled to
// it. The bucket is withheld, but where the département's published figures already give it
// away: a département bucket of 0 makes it 0, and a network alone in reporting the year has the
// département's buckets.
func (p *Publisher) networkBucket(k cellKey, depth Granularity) (Count, error) {
	dk := k
	dk.network = ""
	dc, _ := p.counts("", k.period)
	dept, err := p.publish(dk, dc.Breakdowns[k.dim][k.bucket], true, depth)
	if err != nil {
		return Count{}, err
	}
	if !dept.Hidden && (dept.Value == 0 || len(p.members(k.period)) == 1) {
		return dept, nil
	}
	return Count{Present: true, Hidden: true}, nil
}

// FigureOf returns the figure p answers for a network and a period, and whether there is one:
// for a viewer answered from the releases (UseReleases), the year's latest release's.
func (p *Publisher) FigureOf(network string, period Period) (Figure, bool) {
	f, ok := p.figuresOf(network)[period]
	return f, ok
}

// Raw reports whether the viewer sees every figure of a scope raw.
func (p *Publisher) Raw(scope string) bool {
	if scope == "" {
		return p.viewer.SeesAllRaw()
	}
	return p.viewer.SeesRaw(scope)
}

// PeriodFigures are the figures of one period of a series.
type PeriodFigures struct {
	Period              Period
	Counts              PublishedCounts
	VictimsChange       Ratio // percent from the same period a year before
	VictimsPerThousand  Ratio
	ChildrenPerThousand Ratio
	Population          int64
	ReportingNetworks   int
	ByNetwork           []NetworkCounts // the département's only
}

// NetworkCounts are one network's totals within the département's figures.
type NetworkCounts struct {
	Network           string
	Victims, Children Count
	Raw               bool
}

// Series are the figures of a scope over periods of one granularity.
type Series struct {
	Scope       string // a network id, "" for the département
	Granularity Granularity
	Raw         bool
	Threshold   int64
	Periods     []PeriodFigures
}

// Series computes the figures of scope (a network id, "" for the département) for each of
// periods, all of granularity g. The reports given must cover the year before the first period,
// for the year-over-year change.
func (p *Publisher) Series(scope string, g Granularity, periods []Period) (*Series, error) {
	s := &Series{Scope: scope, Granularity: g, Raw: p.Raw(scope), Threshold: p.threshold}
	for _, period := range periods {
		pf, err := p.periodFigures(scope, period, g)
		if err != nil {
			return nil, err
		}
		s.Periods = append(s.Periods, pf)
	}
	return s, nil
}

func (p *Publisher) periodFigures(scope string, period Period, g Granularity) (PeriodFigures, error) {
	pf := PeriodFigures{Period: period}
	var err error
	if pf.Counts, err = p.Figures(scope, period, g); err != nil {
		return pf, err
	}
	before, err := p.total(scope, period.YearBefore(), g)
	if err != nil {
		return pf, err
	}
	pf.VictimsChange = change(pf.Counts.Victims, before)
	if scope != "" {
		pf.Population = p.population[scope]
		if pf.Counts.Victims.Present {
			pf.ReportingNetworks = 1
		}
	} else {
		ms := p.members(period)
		pf.ReportingNetworks = len(ms)
		for _, id := range ms {
			pf.Population += p.population[id]
		}
		for _, id := range p.networks {
			c, ok := p.counts(id, period)
			nc := NetworkCounts{Network: id, Raw: p.viewer.SeesRaw(id)}
			if nc.Victims, err = p.publish(cellKey{kind: victimsCell, network: id, period: period}, c.Victims, ok, g); err != nil {
				return pf, err
			}
			if nc.Children, err = p.publish(cellKey{kind: childrenCell, network: id, period: period}, c.Children, ok, g); err != nil {
				return pf, err
			}
			pf.ByNetwork = append(pf.ByNetwork, nc)
		}
	}
	pf.VictimsPerThousand = perThousand(pf.Counts.Victims, pf.Population)
	pf.ChildrenPerThousand = perThousand(pf.Counts.Children, pf.Population)
	return pf, nil
}

// total is a scope's published victims for a period.
func (p *Publisher) total(scope string, period Period, depth Granularity) (Count, error) {
	c, ok := p.counts(scope, period)
	return p.publish(cellKey{kind: victimsCell, network: scope, period: period}, c.Victims, ok, depth)
}

// change is the change from before to now in percent: hidden if either count is.
func change(now, before Count) Ratio {
	switch {
	case !now.Present || !before.Present:
		return Ratio{}
	case now.Hidden || before.Hidden:
		return Ratio{Present: true, Hidden: true}
	case before.Value == 0:
		return Ratio{}
	}
	return Ratio{Present: true, Value: round2(float64(now.Value-before.Value) * 100 / float64(before.Value))}
}

// perThousand is a count per 1,000 inhabitants: hidden if the count is.
func perThousand(c Count, population int64) Ratio {
	switch {
	case !c.Present || population <= 0:
		return Ratio{}
	case c.Hidden:
		return Ratio{Present: true, Hidden: true}
	}
	return Ratio{Present: true, Value: round2(float64(c.Value) * 1000 / float64(population))}
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// YearComparison is one year of local growth against national growth.
type YearComparison struct {
	Year           int
	Local          Count
	LocalChange    Ratio
	National       *NationalFigure // nil when none was entered
	NationalChange Ratio
	Gap            Ratio // local change minus national change, in points
}

// Comparison compares the yearly victims of scope with the national series, year by year from
// from to to. The reports given must cover from-1.
func (p *Publisher) Comparison(scope string, from, to int, national []*NationalFigure) ([]YearComparison, error) {
	byYear := map[int]*NationalFigure{}
	for _, f := range national {
		byYear[f.Year] = f
	}
	nationalCount := func(y int) Count {
		if f, ok := byYear[y]; ok {
			return Count{Value: f.Value, Present: true}
		}
		return Count{}
	}
	var out []YearComparison
	for y := from; y <= to; y++ {
		local, err := p.total(scope, YearPeriod(y), Year)
		if err != nil {
			return nil, err
		}
		before, err := p.total(scope, YearPeriod(y-1), Year)
		if err != nil {
			return nil, err
		}
		yc := YearComparison{
			Year: y, Local: local, LocalChange: change(local, before), National: byYear[y],
			NationalChange: change(nationalCount(y), nationalCount(y-1)),
		}
		switch {
		case !yc.LocalChange.Present || !yc.NationalChange.Present:
		case yc.LocalChange.Hidden:
			yc.Gap = Ratio{Present: true, Hidden: true}
		default:
			yc.Gap = Ratio{Present: true, Value: round2(yc.LocalChange.Value - yc.NationalChange.Value)}
		}
		out = append(out, yc)
	}
	return out, nil
}

// ReportView is a report's counts as one viewer may see them.
type ReportView struct {
	Counts     PublishedCounts
	Raw        bool
	Superseded bool
}

// ViewReport returns r as the viewer may see it. latest says whether r is the latest revision:
// an earlier revision, or a report superseded by its sub-periods, was never a published figure,
// so only an entitled viewer sees its counts.
func (p *Publisher) ViewReport(r *Report, latest bool) (ReportView, error) {
	v := ReportView{Raw: p.viewer.SeesRaw(r.Network), Superseded: p.figuresOf(r.Network).Superseded(r.Period)}
	if v.Raw {
		v.Counts = rawCounts(r.Counts)
		return v, nil
	}
	if !latest || v.Superseded {
		v.Counts = hiddenCounts()
		return v, nil
	}
	var err error
	v.Counts, err = p.Figures(r.Network, r.Period, r.Period.Granularity())
	return v, err
}

func rawCounts(c Counts) PublishedCounts {
	out := PublishedCounts{
		Victims:    Count{Value: c.Victims, Present: true},
		Children:   Count{Value: c.Children, Present: true},
		Breakdowns: make([][]Count, len(c.Breakdowns)),
	}
	for d, bs := range c.Breakdowns {
		out.Breakdowns[d] = make([]Count, len(bs))
		for b, v := range bs {
			out.Breakdowns[d][b] = Count{Value: v, Present: true}
		}
	}
	return out
}

func hiddenCounts() PublishedCounts {
	h := Count{Present: true, Hidden: true}
	out := PublishedCounts{Victims: h, Children: h, Breakdowns: make([][]Count, len(Dimensions))}
	for d, dim := range Dimensions {
		out.Breakdowns[d] = make([]Count, len(dim.Buckets))
		for b := range dim.Buckets {
			out.Breakdowns[d][b] = h
		}
	}
	return out
}

// DefaultThreshold is the threshold of disclosure control unless configured otherwise: counts
// from 1 to 4 are hidden.
const DefaultThreshold = disclosure.DefaultThreshold

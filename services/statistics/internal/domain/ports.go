package domain

import (
	"context"
	"time"
)

// Clock gives the time; tests inject a fixed one.
type Clock func() time.Time

// IDs makes new unique ids.
type IDs func() string

// Directory answers what the directory service knows of the networks.
type Directory interface {
	// Networks lists every network with its population; resource.ErrDirectoryUnavailable when the
	// directory cannot be reached.
	Networks(ctx context.Context) ([]Network, error)
}

// Repository stores reports and the national series. Every write records its events in the same
// transaction (the transactional outbox), or does nothing.
type Repository interface {
	// SubmitReport stores r as the next revision of its report (1 for the first): it sets
	// r.Revision, asks events for the change's events and writes both. A request whose
	// idempotency key (in ctx, set at the edge) was seen returns the revision stored then and
	// writes nothing (created is false). Two submissions of the same report at once may give one
	// of them ErrConcurrentRevision.
	SubmitReport(ctx context.Context, r *Report, events func(*Report) []*Event) (_ *Report, created bool, _ error)
	// SeedReports stores, in one transaction, each report of rs that has no revision yet as its
	// revision 1 (setting r.Revision), with the events events gives for it; the reports that
	// exist are kept as they are. Readers see the whole data set or none of it: a publication
	// never records half of it. It returns how many it wrote.
	SeedReports(ctx context.Context, rs []*Report, events func(*Report) []*Event) (written int, _ error)
	// LatestReport returns the latest revision of a network's report for a period.
	LatestReport(ctx context.Context, network string, p Period) (*Report, error)
	// ReportRevisions returns a report's revisions older than beforeRevision (0: from the latest),
	// newest first, at most limit (0: all); ErrNotFound when the report has none at all.
	ReportRevisions(ctx context.Context, network string, p Period, beforeRevision int64, limit int) ([]*Report, error)
	// LatestReports returns the latest revision of every report of the years from..to (inclusive),
	// of one network or, when network is "", of all.
	LatestReports(ctx context.Context, network string, from, to int) ([]*Report, error)

	// CreateNationalFigure stores f with its events; a taken year gives ErrAlreadyExists; a
	// request whose idempotency key was seen returns the figure created then.
	CreateNationalFigure(ctx context.Context, f *NationalFigure, events []*Event) (_ *NationalFigure, created bool, _ error)
	GetNationalFigure(ctx context.Context, year int) (*NationalFigure, error)
	// ListNationalFigures returns the figures after year afterYear (0: from the first), by year,
	// at most limit (0: all), and how many there are in all.
	ListNationalFigures(ctx context.Context, afterYear, limit int) (_ []*NationalFigure, total int, _ error)

	// ReleaseLog records what was published of each year (see release.go).
	ReleaseLog
	// PublishRelease records next, the next release of year, with the events events gives for
	// it, in one transaction; a number another publication took gives ErrReleaseTaken. A request
	// whose idempotency key (in ctx) was seen returns the release recorded then, without its
	// figures, and writes nothing (created is false), whatever next is; otherwise a nil next
	// returns refusal (the reason nothing is published) and writes nothing.
	PublishRelease(ctx context.Context, year int, next *Release, refusal error, events func(*Release) []*Event) (_ *Release, created bool, _ error)
	// ListReleases returns the releases of year after number after (0: from the first), oldest
	// first, at most limit (0: all), without their figures nor patterns.
	ListReleases(ctx context.Context, year, after, limit int) ([]*Release, error)

	Seeded(ctx context.Context, name string) (bool, error)
	MarkSeeded(ctx context.Context, name string, at time.Time) error
}

package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/platform/storage/storagetest"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

type contractCase struct {
	name string
	run  func(t *testing.T, f *fixture)
}

// TestRepositoryContract runs every case of the repository's contract against each engine
// storagetest offers, on a fresh database per case, through the domain.Repository interface.
// Every case ends by checking the outbox against the writes that succeeded.
func TestRepositoryContract(t *testing.T) {
	cases := slices.Concat(reportCases, latestReportsCases, figureCases, concurrencyCases, publishCases, []contractCase{
		{"seeded is false until marked and marking twice is harmless", seededAndMarkSeeded},
		{"releases are numbered from 1 per year, read back whole (with the pattern a later one recorded), and a taken number is ErrReleaseTaken", releasesInOrder},
	})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each case has its own databases
			for _, d := range storagetest.Databases(t) {
				t.Run(d.Name, func(t *testing.T) {
					f := newFixture(t, d.DB)
					tc.run(t, f)
					f.checkOutbox(t)
				})
			}
		})
	}
}

var reportCases = []contractCase{
	{"the first submission is revision 1, the latest, and emits report.submitted", firstSubmissionIsRevisionOne},
	{"a second submission is revision 2, the latest, and emits report.revised", secondSubmissionIsRevisionTwo},
	{"earlier revisions stay readable newest first, in pages before a revision", revisionsNewestFirstInPages},
	{"a report without revisions is ErrNotFound", unknownReportIsNotFound},
	{"a retried request id returns the first revision and writes neither a row nor an event", retriedRequestIDReturnsFirstRevision},
	{"a request id is scoped to the caller and the parent", requestIDIsScopedToCallerAndParent},
	{"a refused submission writes nothing and takes no revision", refusedSubmissionWritesNothing},
	{"an event the outbox refuses rolls the report back", outboxRefusalRollsBack},
	{"counts round-trip exactly, every bucket of every dimension", countsRoundTrip},
	{"stored counts that no longer check are an error, not figures", corruptCountsAreAnError},
	{"submit times come back in UTC to the microsecond", submitTimesInUTCToTheMicrosecond},
	{"a seed writes its reports as revision 1 in one transaction and keeps those that exist", seedKeepsExistingReports},
	{"a seed whose events the outbox refuses writes none of its reports", seedIsAllOrNothing},
}

func firstSubmissionIsRevisionOne(t *testing.T, f *fixture) {
	ctx := context.Background()
	p := domain.QuarterPeriod(2024, 2)
	r := f.report("chalonnais", p, 1)
	got := f.submit(t, r, "req-1")
	if got.Revision != 1 || !sameReport(got, r) {
		t.Fatalf("SubmitReport(%q) = %+v; want revision 1, the report given", r.Name(), got)
	}
	latest, err := f.repo.LatestReport(ctx, "chalonnais", p)
	if err != nil || !sameReport(latest, got) {
		t.Errorf("LatestReport(%q, %s) = %+v, %v; want %+v", "chalonnais", p, latest, err, got)
	}
	revs, err := f.repo.ReportRevisions(ctx, "chalonnais", p, 0, 0)
	if err != nil || !sameReports(revs, []*domain.Report{got}) {
		t.Errorf("ReportRevisions(%q, %s, 0, 0) = %q, %v; want %q", "chalonnais", p, revisionKeys(revs), err, revisionKeys([]*domain.Report{got}))
	}
	if n := f.count(t, "outbox", "subject = $1", subjectPrefix+string(domain.ReportSubmitted)); n != 1 {
		t.Errorf("report.submitted events = %d; want 1", n)
	}
}

func secondSubmissionIsRevisionTwo(t *testing.T, f *fixture) {
	ctx := context.Background()
	p := domain.MonthPeriod(2024, 3)
	first := f.submit(t, f.report("maconnais", p, 1), "")
	second := f.submit(t, f.report("maconnais", p, 2), "")
	if first.Revision != 1 || second.Revision != 2 {
		t.Fatalf("SubmitReport twice gave revisions %d, %d; want 1, 2", first.Revision, second.Revision)
	}
	latest, err := f.repo.LatestReport(ctx, "maconnais", p)
	if err != nil || !sameReport(latest, second) {
		t.Errorf("LatestReport(%q, %s) = %+v, %v; want revision 2 %+v", "maconnais", p, latest, err, second)
	}
	if n := f.count(t, "reports", "latest"); n != 1 {
		t.Errorf("rows marked latest = %d; want 1", n)
	}
	// Another period and another network of the same period start their own revisions.
	if r := f.submit(t, f.report("maconnais", domain.MonthPeriod(2024, 4), 3), ""); r.Revision != 1 {
		t.Errorf("SubmitReport(%q) revision = %d; want 1", r.Name(), r.Revision)
	}
	if r := f.submit(t, f.report("autunois", p, 4), ""); r.Revision != 1 {
		t.Errorf("SubmitReport(%q) revision = %d; want 1", r.Name(), r.Revision)
	}
	if n := f.count(t, "outbox", "subject = $1", subjectPrefix+string(domain.ReportRevised)); n != 1 {
		t.Errorf("report.revised events = %d; want 1", n)
	}
}

func revisionsNewestFirstInPages(t *testing.T, f *fixture) {
	ctx := context.Background()
	p := domain.YearPeriod(2023)
	revs := f.submitN(t, "bressan", p, 10, 5) // revisions 1..5, oldest first
	f.submitN(t, "bressan", domain.QuarterPeriod(2023, 1), 20, 2)
	newest := slices.Clone(revs)
	slices.Reverse(newest)
	tests := []struct {
		before int64
		limit  int
		want   []*domain.Report
	}{
		{0, 0, newest},
		{0, 2, newest[:2]},
		{4, 2, newest[2:4]},
		{2, 2, newest[4:]},
		{6, 0, newest},
		{1, 2, []*domain.Report{}},
		{1, 0, []*domain.Report{}},
	}
	for _, tt := range tests {
		got, err := f.repo.ReportRevisions(ctx, "bressan", p, tt.before, tt.limit)
		if err != nil || got == nil || !sameReports(got, tt.want) {
			t.Errorf("ReportRevisions(%q, %s, %d, %d) = %q, %v; want %q, nil (an empty page is not nil)",
				"bressan", p, tt.before, tt.limit, revisionKeys(got), err, revisionKeys(tt.want))
		}
	}
	// Paging from the latest by the last revision of each page visits every revision once.
	var seen []*domain.Report
	before := int64(0)
	for range 10 {
		page, err := f.repo.ReportRevisions(ctx, "bressan", p, before, 2)
		if err != nil {
			t.Fatalf("ReportRevisions(%q, %s, %d, 2) = %v", "bressan", p, before, err)
		}
		if len(page) == 0 {
			break
		}
		seen = append(seen, page...)
		before = page[len(page)-1].Revision
	}
	if !sameReports(seen, newest) {
		t.Errorf("ReportRevisions pages of 2 = %q; want %q", revisionKeys(seen), revisionKeys(newest))
	}
}

func unknownReportIsNotFound(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.submit(t, f.report("louhannais", domain.YearPeriod(2022), 1), "")
	for _, q := range []struct {
		network string
		p       domain.Period
	}{
		{"louhannais", domain.YearPeriod(2021)},
		{"louhannais", domain.QuarterPeriod(2022, 1)}, // same year and first month, other length
		{"louhannais", domain.MonthPeriod(2022, 1)},
		{"charolais", domain.YearPeriod(2022)},
		{"louhannais", domain.Period{}},
	} {
		if r, err := f.repo.LatestReport(ctx, q.network, q.p); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("LatestReport(%q, %q) = %+v, %v; want ErrNotFound", q.network, q.p, r, err)
		}
		for _, before := range []int64{0, 5} {
			if revs, err := f.repo.ReportRevisions(ctx, q.network, q.p, before, 10); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("ReportRevisions(%q, %q, %d, 10) = %q, %v; want ErrNotFound", q.network, q.p, before, revisionKeys(revs), err)
			}
		}
	}
}

func retriedRequestIDReturnsFirstRevision(t *testing.T, f *fixture) {
	p := domain.MonthPeriod(2025, 1)
	first := f.submit(t, f.report("creusot", p, 1), "req-a")

	asked := false
	retry := f.report("creusot", p, 1) // the same request, sent again
	retry.SubmitTime = retry.SubmitTime.Add(time.Minute)
	got, created, err := f.repo.SubmitReport(reportRequest("req-a", retry), retry, func(r *domain.Report) []*domain.Event {
		asked = true
		return []*domain.Event{f.event(domain.ReportRevised)}
	})
	if err != nil || created || !sameReport(got, first) {
		t.Fatalf("SubmitReport(%q, %q) again = %+v, created %v, %v; want the first revision %+v, not created", retry.Name(), "req-a", got, created, err, first)
	}
	if asked {
		t.Errorf("SubmitReport(%q, %q) again asked for events; want a replay without events", retry.Name(), "req-a")
	}
	// The same request id with another request (other counts, another period) is refused: its
	// counts must neither be lost silently nor answered with the first revision.
	for _, other := range []*domain.Report{f.report("creusot", p, 2), f.report("creusot", domain.MonthPeriod(2025, 2), 1)} {
		got, created, err := f.repo.SubmitReport(reportRequest("req-a", other), other, f.reportEvents(new([]*domain.Event)))
		if !errors.Is(err, idempotency.ErrRequestIDReused) || created || got != nil {
			t.Errorf("SubmitReport(%q, %q, another request) = %+v, created %v, %v; want ErrRequestIDReused", other.Name(), "req-a", got, created, err)
		}
	}
	if n := f.count(t, "reports", ""); n != 1 {
		t.Errorf("report rows = %d; want 1", n)
	}
	// Without a request id, and with another one, submissions are new revisions.
	if r := f.submit(t, f.report("creusot", p, 4), ""); r.Revision != 2 {
		t.Errorf("SubmitReport(%q, no request id) revision = %d; want 2", r.Name(), r.Revision)
	}
	if r := f.submit(t, f.report("creusot", p, 5), ""); r.Revision != 3 {
		t.Errorf("SubmitReport(%q, no request id) revision = %d; want 3", r.Name(), r.Revision)
	}
	sixth := f.report("creusot", p, 6)
	if r := f.submit(t, sixth, "req-b"); r.Revision != 4 {
		t.Errorf("SubmitReport(%q, %q) revision = %d; want 4", r.Name(), "req-b", r.Revision)
	}
	if got, created, err := f.repo.SubmitReport(reportRequest("req-b", sixth), f.report("creusot", p, 6), f.reportEvents(new([]*domain.Event))); err != nil || created || got.Revision != 4 {
		t.Errorf("SubmitReport(%q, %q) again = %+v, created %v, %v; want revision 4, not created", p, "req-b", got, created, err)
	}
}

// A request id is a key of one caller, for one method, under one parent: another network's
// coordinator, or the same caller under another network, with the same request id submits its
// own report and never receives another's.
func requestIDIsScopedToCallerAndParent(t *testing.T, f *fixture) {
	p := domain.MonthPeriod(2025, 3)
	const method = "/vif.statistics.v1.StatisticsService/SubmitReport"
	mine := f.report("louhannais", p, 1)
	first := f.submit(t, mine, "req-shared")
	for _, tt := range []struct {
		what   string
		caller string
		r      *domain.Report
	}{
		{"another caller, same network and counts", `role="admin" network="" organisation="" sub="admin"`, f.report("louhannais", p, 1)},
		{"another caller, another network", `role="coordinator" network="chalonnais" organisation="" sub="coordinator-2"`, f.report("chalonnais", p, 1)},
		{"the same caller, another network", submitter, f.report("bresse", p, 1)},
	} {
		ctx := idempotency.NewContext(context.Background(), idempotency.Key{
			Caller: tt.caller, Method: method, Parent: "networks/" + tt.r.Network, RequestID: "req-shared",
			Fingerprint: []byte(fmt.Sprint(tt.r.Period, tt.r.Counts)),
		})
		var events []*domain.Event
		got, created, err := f.repo.SubmitReport(ctx, tt.r, f.reportEvents(&events))
		if err != nil || !created || got.Network != tt.r.Network {
			t.Errorf("%s: SubmitReport(%q, req-shared) = %+v, created %v, %v; want a new revision of its own report", tt.what, tt.r.Name(), got, created, err)
			continue
		}
		f.wrote(events...)
	}
	if latest, err := f.repo.LatestReport(context.Background(), "louhannais", p); err != nil || latest.Revision != 2 || sameReport(latest, first) {
		t.Errorf("LatestReport(louhannais, %s) = %+v, %v; want revision 2, the admin's", p, latest, err)
	}
}

func refusedSubmissionWritesNothing(t *testing.T, f *fixture) {
	ctx := context.Background()
	p := domain.QuarterPeriod(2024, 4)
	ok := f.report("tournugeois", p, 1)
	badCounts := func(change func(*domain.Counts)) *domain.Report {
		r := f.report("tournugeois", p, 2)
		change(&r.Counts)
		return r
	}
	oneEvent := func(r *domain.Report) []*domain.Event { return []*domain.Event{f.event(domain.ReportSubmitted)} }
	tests := []struct {
		name   string
		r      *domain.Report
		events func(*domain.Report) []*domain.Event
	}{
		{"no events", ok, func(*domain.Report) []*domain.Event { return nil }},
		{"an empty list of events", ok, func(*domain.Report) []*domain.Event { return []*domain.Event{} }},
		{"a nil event", ok, func(r *domain.Report) []*domain.Event { return []*domain.Event{oneEvent(r)[0], nil} }},
		{"no events closure", ok, nil},
		{"a bucket more than the victims", badCounts(func(c *domain.Counts) { c.Breakdowns[1][0] += 1 }), oneEvent},
		{"a negative count", badCounts(func(c *domain.Counts) { c.Children = -1 }), oneEvent},
		{"a missing dimension", badCounts(func(c *domain.Counts) { c.Breakdowns = c.Breakdowns[:3] }), oneEvent},
		{"a missing bucket", badCounts(func(c *domain.Counts) { c.Breakdowns[0] = c.Breakdowns[0][1:] }), oneEvent},
		{"no counts at all", badCounts(func(c *domain.Counts) { *c = domain.Counts{} }), oneEvent},
		{"no period", &domain.Report{Network: "tournugeois", Counts: domain.ZeroCounts(), SubmitTime: f.now()}, oneEvent},
		{"no network", &domain.Report{Period: p, Counts: domain.ZeroCounts(), SubmitTime: f.now()}, oneEvent},
	}
	for _, tt := range tests {
		got, created, err := f.repo.SubmitReport(reportRequest("req-"+tt.name, tt.r), tt.r, tt.events)
		if err == nil || created || got != nil {
			t.Errorf("SubmitReport(%s) = %+v, created %v, %v; want an error", tt.name, got, created, err)
		}
		if errors.Is(err, domain.ErrConcurrentRevision) {
			t.Errorf("SubmitReport(%s) = %v; want an error other than ErrConcurrentRevision", tt.name, err)
		}
	}
	if n := f.count(t, "reports", ""); n != 0 {
		t.Errorf("report rows after refusals = %d; want 0", n)
	}
	if r, err := f.repo.LatestReport(ctx, "tournugeois", p); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("LatestReport(%q, %s) after refusals = %+v, %v; want ErrNotFound", "tournugeois", p, r, err)
	}
	// The refusals took no revision, and their request ids are free.
	if r := f.submit(t, f.report("tournugeois", p, 3), "req-no events"); r.Revision != 1 {
		t.Errorf("SubmitReport(%q) after refusals revision = %d; want 1", r.Name(), r.Revision)
	}
}

func outboxRefusalRollsBack(t *testing.T, f *fixture) {
	ctx := context.Background()
	p := domain.MonthPeriod(2024, 6)
	first := f.submit(t, f.report("autunois", p, 1), "")
	r := f.report("autunois", p, 2)
	// An event without a type makes the subject "vif.statistics.v1.", which the outbox refuses.
	got, created, err := f.repo.SubmitReport(reportRequest("req-x", r), r, func(*domain.Report) []*domain.Event {
		return []*domain.Event{f.event("")}
	})
	if err == nil || created {
		t.Fatalf("SubmitReport(%q) with an invalid event = %+v, created %v, %v; want an error", r.Name(), got, created, err)
	}
	if n := f.count(t, "reports", ""); n != 1 {
		t.Errorf("report rows = %d; want 1, the first revision only", n)
	}
	if latest, err := f.repo.LatestReport(ctx, "autunois", p); err != nil || !sameReport(latest, first) {
		t.Errorf("LatestReport(%q, %s) = %+v, %v; want still the first revision %+v", "autunois", p, latest, err, first)
	}
	if second := f.submit(t, f.report("autunois", p, 3), "req-x"); second.Revision != 2 {
		t.Errorf("SubmitReport(%q) after the rollback revision = %d; want 2", second.Name(), second.Revision)
	}
}

func seedKeepsExistingReports(t *testing.T, f *fixture) {
	ctx := context.Background()
	march := domain.MonthPeriod(2022, 3)
	existing := f.submit(t, f.report("bressan", march, 1), "")
	rs := []*domain.Report{f.report("chalonnais", march, 2), f.report("bressan", march, 3), f.report("autunois", domain.YearPeriod(2021), 4)}
	var events []*domain.Event
	n, err := f.repo.SeedReports(ctx, rs, func(r *domain.Report) []*domain.Event {
		ev := f.event(domain.ReportSubmitted)
		ev.Report = r
		events = append(events, ev)
		return []*domain.Event{ev}
	})
	if err != nil || n != 2 {
		t.Fatalf("SeedReports = %d, %v; want 2 written (bressan's March exists)", n, err)
	}
	f.wrote(events...)
	if len(events) != 2 {
		t.Errorf("events asked for %d reports; want 2", len(events))
	}
	for _, want := range []*domain.Report{rs[0], rs[2]} {
		got, err := f.repo.LatestReport(ctx, want.Network, want.Period)
		if err != nil || got.Revision != 1 || !sameReport(got, want) {
			t.Errorf("LatestReport(%s) = %+v, %v; want the seeded revision 1", want.Name(), got, err)
		}
	}
	if got, err := f.repo.LatestReport(ctx, "bressan", march); err != nil || !sameReport(got, existing) {
		t.Errorf("LatestReport(bressan, %s) = %+v, %v; want the report that existed, untouched", march, got, err)
	}
}

func seedIsAllOrNothing(t *testing.T, f *fixture) {
	ctx := context.Background()
	rs := []*domain.Report{f.report("chalonnais", domain.MonthPeriod(2022, 1), 1), f.report("bressan", domain.MonthPeriod(2022, 1), 2)}
	calls := 0
	_, err := f.repo.SeedReports(ctx, rs, func(r *domain.Report) []*domain.Event {
		calls++
		if calls == 2 {
			return []*domain.Event{f.event("")} // a subject the outbox refuses
		}
		ev := f.event(domain.ReportSubmitted)
		ev.Report = r
		return []*domain.Event{ev}
	})
	if err == nil {
		t.Fatal("SeedReports with an event the outbox refuses succeeded; want an error")
	}
	if n := f.count(t, "reports", ""); n != 0 {
		t.Errorf("report rows after the refused seed = %d; want 0 (all or nothing)", n)
	}
}

func countsRoundTrip(t *testing.T, f *fixture) {
	ctx := context.Background()
	allUnknown := domain.ZeroCounts()
	allUnknown.Victims = 41
	for d := range allUnknown.Breakdowns {
		allUnknown.Breakdowns[d][len(allUnknown.Breakdowns[d])-1] = 41
	}
	maximal := domain.ZeroCounts()
	maximal.Victims, maximal.Children = domain.MaxCount, domain.MaxCount
	for d := range maximal.Breakdowns {
		maximal.Breakdowns[d][0] = domain.MaxCount
	}
	submission, err := domain.NewCounts(domain.Submission{
		Victims: 25, Children: 9,
		Breakdowns: [][]domain.BucketCount{
			{{Bucket: "PHYSICAL", Count: 10}, {Bucket: "SEXUAL", Count: 4}},
			{{Bucket: "FEMALE", Count: 22}, {Bucket: "MALE", Count: 2}},
			{{Bucket: "25_TO_34", Count: 11}},
			{{Bucket: "JUSTICE", Count: 25}},
		},
	})
	if err != nil {
		t.Fatalf("NewCounts = %v", err)
	}
	all := []domain.Counts{domain.ZeroCounts(), allUnknown, maximal, submission, sampleCounts(7), sampleCounts(8)}
	p := domain.YearPeriod(2021)
	var stored []*domain.Report
	for i, c := range all {
		r := f.report("charolais", domain.MonthPeriod(2021, i+1), int64(i))
		r.Counts = c
		f.submit(t, r, "")
		revision := f.report("charolais", p, int64(i))
		revision.Counts = c
		stored = append(stored, f.submit(t, revision, ""))
	}
	for i, c := range all {
		got, err := f.repo.LatestReport(ctx, "charolais", domain.MonthPeriod(2021, i+1))
		if err != nil || !equalCounts(got.Counts, c) {
			t.Errorf("LatestReport(%q, 2021-%02d) counts = %+v, %v; want %+v", "charolais", i+1, countsOf(got), err, c)
		}
	}
	revs, err := f.repo.ReportRevisions(ctx, "charolais", p, 0, 0)
	slices.Reverse(stored)
	if err != nil || !sameReports(revs, stored) {
		t.Errorf("ReportRevisions(%q, %s) = %q, %v; want %q with their counts", "charolais", p, revisionKeys(revs), err, revisionKeys(stored))
	}
	latest, err := f.repo.LatestReports(ctx, "charolais", 2021, 2021)
	if err != nil || len(latest) != len(all)+1 || !equalCounts(latest[0].Counts, all[len(all)-1]) {
		t.Fatalf("LatestReports(%q, 2021, 2021) = %q, %v; want the year's latest revision then %d months", "charolais", revisionKeys(latest), err, len(all))
	}
	for i, c := range all {
		if got := latest[i+1].Counts; !equalCounts(got, c) {
			t.Errorf("LatestReports(%q, 2021, 2021)[%d] counts = %+v; want %+v", "charolais", i+1, got, c)
		}
	}

	// The stored format is the documented JSON, whatever the domain's Go names.
	var text string
	err = f.db.QueryRowContext(ctx, `SELECT counts FROM reports WHERE network = $1 AND period = $2`, "charolais", "2021-02").Scan(&text)
	const want = `{"victims":41,"children":0,"breakdowns":[[0,0,0,0,0,41],[0,0,41],[0,0,0,0,0,0,0,41],[0,0,0,0,0,0,0,41]]}`
	if err != nil || text != want {
		t.Errorf("stored counts of 2021-02 = %s, %v; want %s", text, err, want)
	}
}

func equalCounts(got, want domain.Counts) bool {
	return got.Victims == want.Victims && got.Children == want.Children &&
		slices.EqualFunc(got.Breakdowns, want.Breakdowns, slices.Equal[[]int64])
}

func countsOf(r *domain.Report) any {
	if r == nil {
		return nil
	}
	return r.Counts
}

func corruptCountsAreAnError(t *testing.T, f *fixture) {
	ctx := context.Background()
	p := domain.YearPeriod(2020)
	f.submit(t, f.report("chalonnais", p, 1), "")
	for _, counts := range []string{
		`{"victims":5,"children":0,"breakdowns":[[5],[5],[5],[5]]}`,                                           // buckets missing
		`{"victims":5,"children":0,"breakdowns":[[0,0,0,0,0,4],[0,0,5],[0,0,0,0,0,0,0,5],[0,0,0,0,0,0,0,5]]}`, // sums to 4
		`not json`,
	} {
		if _, err := f.db.ExecContext(ctx, `UPDATE reports SET counts = $1`, counts); err != nil {
			t.Fatalf("corrupt counts: %v", err)
		}
		if r, err := f.repo.LatestReport(ctx, "chalonnais", p); err == nil || errors.Is(err, domain.ErrNotFound) {
			t.Errorf("LatestReport(%q, %s) with counts %s = %+v, %v; want an error", "chalonnais", p, counts, r, err)
		}
		if rs, err := f.repo.LatestReports(ctx, "", 2020, 2020); err == nil {
			t.Errorf("LatestReports(all, 2020, 2020) with counts %s = %q, nil; want an error", counts, revisionKeys(rs))
		}
	}
}

func submitTimesInUTCToTheMicrosecond(t *testing.T, f *fixture) {
	ctx := context.Background()
	p := domain.MonthPeriod(2026, 2)
	r := f.report("maconnais", p, 1)
	given := t0.Add(123_456_789 * time.Nanosecond).In(fixedParis) // nanoseconds, and not in UTC
	r.SubmitTime = given
	want := given.UTC().Truncate(time.Microsecond)
	got := f.submit(t, r, "")
	if !got.SubmitTime.Equal(want) || got.SubmitTime.Location() != want.Location() {
		t.Errorf("SubmitReport(%q).SubmitTime = %v; want %v", r.Name(), got.SubmitTime, want)
	}
	read, err := f.repo.LatestReport(ctx, "maconnais", p)
	if err != nil || !read.SubmitTime.Equal(want) || read.SubmitTime.Location() != want.Location() {
		t.Errorf("LatestReport(%q, %s).SubmitTime = %v, %v; want %v", "maconnais", p, timeOf(read), err, want)
	}
	if !sameReport(read, got) {
		t.Errorf("LatestReport(%q, %s) = %+v; want what SubmitReport returned %+v", "maconnais", p, read, got)
	}
}

func timeOf(r *domain.Report) any {
	if r == nil {
		return nil
	}
	return r.SubmitTime
}

func seededAndMarkSeeded(t *testing.T, f *fixture) {
	ctx := context.Background()
	if done, err := f.repo.Seeded(ctx, "seed-a"); done || err != nil {
		t.Fatalf("Seeded(%q) before marking = %v, %v; want false, nil", "seed-a", done, err)
	}
	for range 2 {
		if err := f.repo.MarkSeeded(ctx, "seed-a", f.now()); err != nil {
			t.Fatalf("MarkSeeded(%q) = %v", "seed-a", err)
		}
	}
	tests := []struct {
		name string
		want bool
	}{{"seed-a", true}, {"seed-b", false}}
	for _, tt := range tests {
		if done, err := f.repo.Seeded(ctx, tt.name); done != tt.want || err != nil {
			t.Errorf("Seeded(%q) = %v, %v; want %v, nil", tt.name, done, err, tt.want)
		}
	}
}

func releasesInOrder(t *testing.T, f *fixture) {
	ctx := context.Background()
	if n, _, err := f.repo.LatestRelease(ctx, 2024); n != 0 || err != nil {
		t.Fatalf("LatestRelease before any = %d, %v; want 0, nil", n, err)
	}
	figs := func(v int64) map[string]domain.Figures {
		return map[string]domain.Figures{"chalonnais": {
			domain.MonthPeriod(2024, 3):   {Counts: f.report("chalonnais", domain.MonthPeriod(2024, 3), v).Counts},
			domain.QuarterPeriod(2024, 1): {Counts: f.report("chalonnais", domain.QuarterPeriod(2024, 1), v).Counts, Derived: true},
		}}
	}
	var rs []domain.Release
	for n := 1; n <= 2; n++ {
		r := domain.Release{Year: 2024, Number: n, Figures: figs(int64(10 * n))}
		r.Digest[0] = byte(n)
		if n == 2 { // a later release records its pattern; the first none
			r.Hidden = []string{"0/chalonnais/0/0/2024-03", "2//1/4/2024"}
		}
		if err := f.repo.AddRelease(ctx, r); err != nil {
			t.Fatalf("AddRelease(%d) = %v", n, err)
		}
		rs = append(rs, r)
	}
	for _, n := range []int{2, 4} { // taken, and not the next
		r := domain.Release{Year: 2024, Number: n, Figures: figs(1)}
		if err := f.repo.AddRelease(ctx, r); !errors.Is(err, domain.ErrReleaseTaken) {
			t.Errorf("AddRelease(%d) again = %v; want ErrReleaseTaken", n, err)
		}
	}
	if n, d, err := f.repo.LatestRelease(ctx, 2024); n != 2 || d != rs[1].Digest || err != nil {
		t.Errorf("LatestRelease = %d, %x, %v; want 2, %x", n, d[:2], err, rs[1].Digest[:2])
	}
	if n, _, err := f.repo.LatestRelease(ctx, 2023); n != 0 || err != nil {
		t.Errorf("LatestRelease(2023) = %d, %v; want 0: releases are per year", n, err)
	}
	got, err := f.repo.Releases(ctx, 2024)
	if err != nil || len(got) != 2 {
		t.Fatalf("Releases = %d, %v; want 2", len(got), err)
	}
	for i, r := range got {
		if r.Number != i+1 || r.Digest != rs[i].Digest || fmt.Sprint(r.Figures) != fmt.Sprint(rs[i].Figures) ||
			(r.Hidden == nil) != (rs[i].Hidden == nil) || !slices.Equal(r.Hidden, rs[i].Hidden) {
			t.Errorf("release %d read back as %+v; want %+v", i+1, r, rs[i])
		}
	}
}

package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

var concurrencyCases = []contractCase{
	{"16 concurrent submissions of one report make revisions 1..k without gaps, the others told ErrConcurrentRevision, three times over", concurrentSubmissionsOfOneReport},
	{"10 concurrent submissions with one request id make one revision, and every caller gets it, three times over", concurrentSubmissionsWithOneRequestID},
	{"16 concurrent submissions of different reports all succeed", concurrentSubmissionsOfDifferentReports},
	{"10 concurrent creations of one year make one figure, the others told ErrAlreadyExists", concurrentFiguresOfOneYear},
	{"10 concurrent creations with one request id make one figure, and every caller gets it", concurrentFiguresWithOneRequestID},
}

// race runs n calls at once: every goroutine is started and waiting at a barrier before any is
// let go, so that the calls reach the database together rather than in launch order.
func race(n int, call func(i int)) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		ready.Add(1)
		done.Go(func() {
			ready.Done()
			<-start
			call(i)
		})
	}
	ready.Wait()
	close(start)
	done.Wait()
}

// submitted is what one SubmitReport call gave.
type submitted struct {
	report  *domain.Report
	created bool
	err     error
	events  []*domain.Event
}

// raceSubmissions submits n reports made by build at once, with the request ids requestID gives.
func (f *fixture) raceSubmissions(n int, build func(i int) *domain.Report, requestID func(i int) string) []submitted {
	results := make([]submitted, n)
	race(n, func(i int) {
		var events []*domain.Event
		r := build(i)
		got, created, err := f.repo.SubmitReport(reportRequest(requestID(i), r), r, f.reportEvents(&events))
		results[i] = submitted{got, created, err, events}
	})
	return results
}

func concurrentSubmissionsOfOneReport(t *testing.T, f *fixture) {
	ctx := context.Background()
	const rounds, submitters = 3, 16
	for round := range rounds {
		p := domain.MonthPeriod(2024, round+1)
		if round == 2 {
			f.submitN(t, "chalonnais", p, 0, 2) // the race starts from revision 2
		}
		before := f.count(t, "reports", "network = $1 AND period = $2", "chalonnais", p.String())
		results := f.raceSubmissions(submitters, func(i int) *domain.Report { return f.report("chalonnais", p, int64(i)) },
			func(i int) string {
				if i%2 == 0 {
					return "" // half without a request id, which is NULL and never collides
				}
				return fmt.Sprintf("req-%d-%02d", round, i)
			})

		var wins []submitted
		var other []error
		concurrent := 0
		for i, r := range results {
			switch {
			case r.err == nil && r.created:
				wins = append(wins, r)
			case r.err == nil:
				t.Errorf("round %d: SubmitReport #%d = not created, nil error; want created or ErrConcurrentRevision", round, i)
			case errors.Is(r.err, domain.ErrConcurrentRevision):
				concurrent++
			default:
				other = append(other, r.err)
			}
		}
		t.Logf("round %d: %d created, %d ErrConcurrentRevision", round, len(wins), concurrent)
		if len(other) > 0 || len(wins) == 0 {
			t.Fatalf("round %d: %d created, other errors %v; want at least one created and only ErrConcurrentRevision", round, len(wins), other)
		}
		if f.db.Dialect == storage.SQLite && len(wins) != submitters {
			// Immediate transactions queue SQLite's writers: each reads the revision before it.
			t.Errorf("round %d: %d of %d submissions created on SQLite; want all", round, len(wins), submitters)
		}
		// Every success has its own revision, from the one after the race's start without gaps;
		// its events were committed with it, in revision order.
		slices.SortFunc(wins, func(a, b submitted) int { return int(a.report.Revision - b.report.Revision) })
		for i, w := range wins {
			if want := int64(before + i + 1); w.report.Revision != want {
				t.Errorf("round %d: created revisions = %q; want %d..%d without gaps", round, revisionKeys(reportsOf(wins)), before+1, before+len(wins))
				break
			}
			f.wrote(w.events...)
		}
		revs, err := f.repo.ReportRevisions(ctx, "chalonnais", p, 0, 0)
		if err != nil || len(revs) != before+len(wins) {
			t.Fatalf("round %d: ReportRevisions = %q, %v; want %d revisions", round, revisionKeys(revs), err, before+len(wins))
		}
		for i, w := range slices.Backward(wins) {
			if got := revs[len(wins)-1-i]; !sameReport(got, w.report) {
				t.Errorf("round %d: revision %d = %+v; want what its submitter was told %+v", round, w.report.Revision, got, w.report)
			}
		}
		if latest, err := f.repo.LatestReport(ctx, "chalonnais", p); err != nil || !sameReport(latest, wins[len(wins)-1].report) {
			t.Errorf("round %d: LatestReport = %+v, %v; want the last revision", round, latest, err)
		}
		if n := f.count(t, "reports", "network = $1 AND period = $2 AND latest", "chalonnais", p.String()); n != 1 {
			t.Errorf("round %d: rows marked latest = %d; want 1", round, n)
		}
	}
}

func reportsOf(results []submitted) []*domain.Report {
	out := make([]*domain.Report, len(results))
	for i, r := range results {
		out[i] = r.report
	}
	return out
}

func concurrentSubmissionsWithOneRequestID(t *testing.T, f *fixture) {
	const rounds, callers = 3, 10
	for round := range rounds {
		p := domain.QuarterPeriod(2024, round+1)
		if round == 2 {
			f.submit(t, f.report("maconnais", p, 0), "") // the race makes revision 2
		}
		requestID := fmt.Sprintf("req-shared-%d", round)
		// The retries of one request: the same counts, the same request id.
		results := f.raceSubmissions(callers, func(int) *domain.Report { return f.report("maconnais", p, 7) },
			func(int) string { return requestID })
		var winner *submitted
		for i := range results {
			if r := &results[i]; r.err == nil && r.created {
				if winner != nil {
					t.Fatalf("round %d: SubmitReport created both revision %d and %d with %q; want one", round, winner.report.Revision, r.report.Revision, requestID)
				}
				winner = r
			}
		}
		if winner == nil {
			t.Fatalf("round %d: no SubmitReport created a revision: %+v", round, results)
		}
		f.wrote(winner.events...)
		for i, r := range results {
			if r.err != nil || !sameReport(r.report, winner.report) {
				t.Errorf("round %d: SubmitReport #%d = %+v, %v; want the winner %+v", round, i, r.report, r.err, winner.report)
			}
		}
		want := 1
		if round == 2 {
			want = 2
		}
		if n := f.count(t, "reports", "network = $1 AND period = $2", "maconnais", p.String()); n != want {
			t.Errorf("round %d: revisions of %s = %d; want %d", round, p, n, want)
		}
	}
}

func concurrentSubmissionsOfDifferentReports(t *testing.T, f *fixture) {
	ctx := context.Background()
	const submitters = 16
	p := domain.YearPeriod(2025)
	// Half revise a report of their own network, half submit a period of a shared network.
	for i := range submitters / 2 {
		f.submit(t, f.report(networkName(i), p, int64(i)), "")
	}
	results := f.raceSubmissions(submitters, func(i int) *domain.Report {
		if i < submitters/2 {
			return f.report(networkName(i), p, int64(100+i))
		}
		return f.report("shared", domain.MonthPeriod(2025, i-submitters/2+1), int64(100+i))
	}, func(i int) string { return fmt.Sprintf("req-%02d", i) })
	for i, r := range results {
		if r.err != nil || !r.created {
			t.Errorf("SubmitReport #%d = created %v, %v; want created", i, r.created, r.err)
			continue
		}
		f.wrote(r.events...)
	}
	got, err := f.repo.LatestReports(ctx, "", 2025, 2025)
	if err != nil || len(got) != submitters {
		t.Fatalf("LatestReports(all, 2025, 2025) = %q, %v; want %d reports", revisionKeys(got), err, submitters)
	}
	for _, r := range got {
		want := int64(2) // a revision of a network's own report
		if r.Network == "shared" {
			want = 1
		}
		if r.Revision != want {
			t.Errorf("LatestReports(all, 2025, 2025) has %s#%d; want revision %d", r.Name(), r.Revision, want)
		}
	}
}

// created is what one CreateNationalFigure call gave.
type created struct {
	figure  *domain.NationalFigure
	created bool
	err     error
	events  []*domain.Event
}

func (f *fixture) raceFigures(n int, year func(i int) int, requestID func(i int) string) []created {
	results := make([]created, n)
	race(n, func(i int) {
		fig := f.figure(year(i))
		events := f.figureEvents(fig)
		got, ok, err := f.repo.CreateNationalFigure(figureRequest(requestID(i), fig), fig, events)
		results[i] = created{got, ok, err, events}
	})
	return results
}

// oneCreated returns the only result that created its figure, failing t when there is not one.
func oneCreated(t *testing.T, results []created) *created {
	t.Helper()
	var winner *created
	for i := range results {
		if r := &results[i]; r.err == nil && r.created {
			if winner != nil {
				t.Fatalf("CreateNationalFigure created both %+v and %+v; want one", winner.figure, r.figure)
			}
			winner = r
		}
	}
	if winner == nil {
		t.Fatalf("no CreateNationalFigure created the figure: %+v", results)
	}
	return winner
}

func concurrentFiguresOfOneYear(t *testing.T, f *fixture) {
	const callers = 10
	results := f.raceFigures(callers, func(int) int { return 2023 }, func(i int) string { return fmt.Sprintf("req-%02d", i) })
	winner := oneCreated(t, results)
	f.wrote(winner.events...)
	for i, r := range results {
		if r.err != nil && !errors.Is(r.err, domain.ErrAlreadyExists) {
			t.Errorf("CreateNationalFigure #%d = %v; want created or ErrAlreadyExists", i, r.err)
		}
	}
	if n := f.count(t, "national_figures", ""); n != 1 {
		t.Errorf("national figure rows = %d; want 1", n)
	}
}

func concurrentFiguresWithOneRequestID(t *testing.T, f *fixture) {
	const callers = 10
	// The retries of one request: the same figure, the same request id.
	results := f.raceFigures(callers, func(int) int { return 2010 }, func(int) string { return "req-shared" })
	winner := oneCreated(t, results)
	f.wrote(winner.events...)
	for i, r := range results {
		if r.err != nil || !sameFigure(r.figure, winner.figure) {
			t.Errorf("CreateNationalFigure #%d = %+v, %v; want the winner %+v", i, r.figure, r.err, winner.figure)
		}
	}
	if n := f.count(t, "national_figures", ""); n != 1 {
		t.Errorf("national figure rows = %d; want 1", n)
	}
}

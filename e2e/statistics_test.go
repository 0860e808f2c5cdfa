package e2e

import (
	"context"
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/storage/storagetest"
	statisticsv1 "github.com/vif71/vif/proto/gen/go/vif/statistics/v1"
)

// TestStatisticsEndToEnd runs the statistics service over gRPC on each engine: the seed, what
// each kind of caller sees, submissions and corrections with their events, bad input rejected
// with nothing written.
func TestStatisticsEndToEnd(t *testing.T) {
	for _, d := range storagetest.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			s := startStatsSuite(t, storagetest.SQLite(t), d.DB)
			s.waitForSeed(t)
			t.Run("seed", func(t *testing.T) { seededSeries(t, s) })
			t.Run("public view", func(t *testing.T) { publicView(t, s) })
			t.Run("submit and revise", func(t *testing.T) { submitAndRevise(t, s) })
			t.Run("bad input", func(t *testing.T) { badReports(t, s) })
			t.Run("national", func(t *testing.T) { national(t, s) })
		})
	}
}

func value(c *statisticsv1.Count) int64 { return c.GetValue() }

// seededSeries: the illustrative data reproduce the article: more than 1,100 victims in 2022,
// rising every year.
func seededSeries(t *testing.T, s *statsSuite) {
	admin := s.as(t, auth.Claims{Role: auth.RoleAdmin})
	series, err := s.stats.QuerySeries(admin, &statisticsv1.QuerySeriesRequest{
		Scope: "networks/-", Granularity: statisticsv1.Granularity_GRANULARITY_YEAR, StartPeriod: "2017", EndPeriod: "2023",
	})
	if err != nil {
		t.Fatal(err)
	}
	if series.GetView() != statisticsv1.View_VIEW_RAW || len(series.GetPeriods()) != 7 {
		t.Fatalf("admin's series = %v periods, view %v; want 7 raw", len(series.GetPeriods()), series.GetView())
	}
	var before int64
	for _, p := range series.GetPeriods() {
		v := value(p.GetFigures().GetVictimsSupported())
		if v <= before {
			t.Errorf("%s: %d victims, not more than the year before (%d)", p.GetPeriod(), v, before)
		}
		before = v
		if p.GetReportingNetworks() != 13 {
			t.Errorf("%s: %d networks reporting; want 13", p.GetPeriod(), p.GetReportingNetworks())
		}
		if p.GetPeriod() == "2022" && v <= 1100 {
			t.Errorf("2022: %d victims; the article says more than 1,100", v)
		}
	}
}

// publicView: an anonymous caller gets protected figures: small counts hidden with no value,
// derived rates hidden with them, and nothing they may not see raw.
func publicView(t *testing.T, s *statsSuite) {
	series, err := s.stats.QuerySeries(context.Background(), &statisticsv1.QuerySeriesRequest{
		Scope: "networks/-", Granularity: statisticsv1.Granularity_GRANULARITY_MONTH, StartPeriod: "2022", EndPeriod: "2022",
	})
	if err != nil {
		t.Fatal(err)
	}
	if series.GetView() != statisticsv1.View_VIEW_PROTECTED || series.GetThreshold() != 5 || len(series.GetPeriods()) != 12 {
		t.Fatalf("public series: view %v, threshold %d, %d periods; want protected, 5, 12", series.GetView(), series.GetThreshold(), len(series.GetPeriods()))
	}
	hidden := 0
	for _, p := range series.GetPeriods() {
		for _, n := range p.GetByNetwork() {
			c := n.GetVictimsSupported()
			if n.GetView() != statisticsv1.View_VIEW_PROTECTED {
				t.Errorf("%s %s: view %v; want protected", p.GetPeriod(), n.GetNetwork(), n.GetView())
			}
			switch {
			case c.GetHidden():
				hidden++
				if c.Value != nil {
					t.Errorf("%s %s: hidden but carries %d", p.GetPeriod(), n.GetNetwork(), c.GetValue())
				}
			case c.GetValue() >= 1 && c.GetValue() < 5:
				t.Errorf("%s %s: %d published, below the threshold", p.GetPeriod(), n.GetNetwork(), c.GetValue())
			}
		}
		for _, f := range p.GetFigures().GetBySex() {
			if !f.GetCount().GetHidden() {
				t.Errorf("%s: the département's monthly bucket %v is published: %v", p.GetPeriod(), f.GetSex(), f.GetCount())
			}
		}
	}
	if hidden == 0 {
		t.Error("no network's monthly count is hidden: the seed has small months, some must be")
	}

	own, err := s.stats.QuerySeries(s.as(t, auth.Claims{Role: auth.RoleCoordinator, Network: "chalonnais"}), &statisticsv1.QuerySeriesRequest{
		Scope: "networks/chalonnais", Granularity: statisticsv1.Granularity_GRANULARITY_MONTH, StartPeriod: "2022-01", EndPeriod: "2022-03",
	})
	if err != nil {
		t.Fatal(err)
	}
	if own.GetView() != statisticsv1.View_VIEW_RAW || own.GetPeriods()[0].GetFigures().GetBySex()[0].GetCount().Value == nil {
		t.Errorf("the coordinator's own network: view %v, %v; want raw counts with breakdowns", own.GetView(), own.GetPeriods()[0])
	}
}

func submission(victims int64) *statisticsv1.ReportCounts {
	return &statisticsv1.ReportCounts{
		VictimsSupported: victims, ChildrenExposed: victims / 2,
		BySex: []*statisticsv1.SexCount{{Sex: statisticsv1.Sex_SEX_FEMALE, Count: victims - 1}, {Sex: statisticsv1.Sex_SEX_MALE, Count: 1}},
	}
}

// submitAndRevise: a coordinator's report is revision 1, a correction revision 2, a retry
// changes nothing; each write has its event, which names the report and never its counts.
func submitAndRevise(t *testing.T, s *statsSuite) {
	coord := s.as(t, auth.Claims{Role: auth.RoleCoordinator, Network: "maconnais"})
	req := &statisticsv1.SubmitReportRequest{Parent: "networks/maconnais", Period: "2024-Q1", Counts: submission(40), RequestId: "6f1c2b9e-3f4d-4b8a-9c1e-2a7d5e8f0b13"}
	first, err := s.stats.SubmitReport(coord, req)
	if err != nil {
		t.Fatal(err)
	}
	if first.GetRevision() != 1 || first.GetName() != "networks/maconnais/reports/2024-Q1" || first.GetView() != statisticsv1.View_VIEW_RAW ||
		value(first.GetFigures().GetVictimsSupported()) != 40 {
		t.Fatalf("first submission = %v; want revision 1, raw, 40 victims", first)
	}
	ev := s.lastEvent(t, "vif.statistics.v1.report.submitted")
	if ev == nil || ev.Header.Get("Nats-Msg-Id") == "" || ev.Header.Get(eventbus.HeaderType) != "vif.statistics.v1.report.submitted" {
		t.Fatalf("report.submitted event = %+v; want one with Nats-Msg-Id and ce-type", ev)
	}
	var payload statisticsv1.ReportSubmitted
	if err := proto.Unmarshal(ev.Data, &payload); err != nil || payload.GetReport() != first.GetName() || payload.GetRevision() != 1 {
		t.Errorf("report.submitted payload = %v (%v); want the report's name and revision 1", &payload, err)
	}

	again, err := s.stats.SubmitReport(coord, req)
	if err != nil || again.GetRevision() != 1 {
		t.Errorf("retry with the same request_id = %v, %v; want revision 1 again", again, err)
	}
	req.Counts, req.RequestId = submission(42), ""
	second, err := s.stats.SubmitReport(coord, req)
	if err != nil || second.GetRevision() != 2 {
		t.Fatalf("correction = %v, %v; want revision 2", second, err)
	}
	if ev := s.lastEvent(t, "vif.statistics.v1.report.revised"); ev == nil {
		t.Error("no report.revised event after a correction")
	}

	revs, err := s.stats.ListReportRevisions(coord, &statisticsv1.ListReportRevisionsRequest{Name: first.GetName()})
	if err != nil || len(revs.GetReports()) != 2 || revs.GetReports()[0].GetRevision() != 2 || value(revs.GetReports()[1].GetFigures().GetVictimsSupported()) != 40 {
		t.Errorf("revisions = %v, %v; want 2 then 1 (40 victims)", revs, err)
	}
	publish2024(t, s, coord, first.GetName())
	public, err := s.stats.ListReportRevisions(context.Background(), &statisticsv1.ListReportRevisionsRequest{Name: first.GetName()})
	if err != nil || len(public.GetReports()) != 2 || !public.GetReports()[1].GetFigures().GetVictimsSupported().GetHidden() {
		t.Errorf("public revisions = %v, %v; want both, the earlier one hidden", public, err)
	}
	got, err := s.stats.GetReport(context.Background(), &statisticsv1.GetReportRequest{Name: first.GetName()})
	if err != nil || got.GetRevision() != 2 || got.GetView() != statisticsv1.View_VIEW_PROTECTED {
		t.Errorf("public GetReport = %v, %v; want revision 2, protected", got, err)
	}

	other := s.as(t, auth.Claims{Role: auth.RoleCoordinator, Network: "chalonnais"})
	_, err = s.stats.SubmitReport(other, req)
	wantCode(t, "a coordinator of another network", err, codes.PermissionDenied, "")
	_, err = s.stats.SubmitReport(s.as(t, auth.Claims{Role: auth.RoleReader}), req)
	wantCode(t, "a reader", err, codes.PermissionDenied, "")
	_, err = s.stats.SubmitReport(context.Background(), req)
	wantCode(t, "no token", err, codes.Unauthenticated, "")
}

// publish2024: to the public a report of 2024 does not exist until an admin publishes the year
// (a coordinator may not); the publication has its event; a second one with nothing new is
// refused.
func publish2024(t *testing.T, s *statsSuite, coord context.Context, report string) {
	t.Helper()
	// To the public the report does not exist until its year is published.
	_, err := s.stats.GetReport(context.Background(), &statisticsv1.GetReportRequest{Name: report})
	wantCode(t, "the public's GetReport before the publication", err, codes.NotFound, "")
	admin := s.as(t, auth.Claims{Role: auth.RoleAdmin})
	_, err = s.stats.PublishRelease(coord, &statisticsv1.PublishReleaseRequest{Parent: "years/2024"})
	wantCode(t, "a coordinator publishing", err, codes.PermissionDenied, "")
	rel, err := s.stats.PublishRelease(admin, &statisticsv1.PublishReleaseRequest{Parent: "years/2024"})
	if err != nil || rel.GetYear() != 2024 || rel.GetName() != fmt.Sprintf("years/2024/releases/%d", rel.GetNumber()) || rel.GetPublishTime() == nil {
		t.Fatalf("PublishRelease(years/2024) = %v, %v; want a release of 2024 with its publish time", rel, err)
	}
	var published statisticsv1.ReleasePublished
	if ev := s.lastEvent(t, "vif.statistics.v1.release.published"); ev == nil || proto.Unmarshal(ev.Data, &published) != nil || published.GetRelease().GetName() != rel.GetName() {
		t.Errorf("release.published event = %v; want one naming %s", &published, rel.GetName())
	}
	_, err = s.stats.PublishRelease(admin, &statisticsv1.PublishReleaseRequest{Parent: "years/2024"})
	wantCode(t, "a publication with nothing new", err, codes.FailedPrecondition, "")
}

// badReports: every bad submission is InvalidArgument naming the field, and writes nothing.
func badReports(t *testing.T, s *statsSuite) {
	admin := s.as(t, auth.Claims{Role: auth.RoleAdmin})
	tests := []struct {
		name  string
		req   *statisticsv1.SubmitReportRequest
		field string
	}{
		{"breakdown above the total", &statisticsv1.SubmitReportRequest{Parent: "networks/louhannais", Period: "2024-02",
			Counts: &statisticsv1.ReportCounts{VictimsSupported: 3, BySex: []*statisticsv1.SexCount{{Sex: statisticsv1.Sex_SEX_FEMALE, Count: 4}}}}, "counts.by_sex"},
		{"bucket twice", &statisticsv1.SubmitReportRequest{Parent: "networks/louhannais", Period: "2024-02",
			Counts: &statisticsv1.ReportCounts{VictimsSupported: 9, ByForm: []*statisticsv1.FormCount{
				{Form: statisticsv1.FormOfViolence_FORM_OF_VIOLENCE_SEXUAL, Count: 1}, {Form: statisticsv1.FormOfViolence_FORM_OF_VIOLENCE_SEXUAL, Count: 1}}}}, "counts.by_form[1]"},
		{"period to come", &statisticsv1.SubmitReportRequest{Parent: "networks/louhannais", Period: "2099-01", Counts: submission(10)}, "period"},
		{"malformed period", &statisticsv1.SubmitReportRequest{Parent: "networks/louhannais", Period: "2024-13", Counts: submission(10)}, "period"},
		{"unknown network", &statisticsv1.SubmitReportRequest{Parent: "networks/atlantis", Period: "2024-02", Counts: submission(10)}, "parent"},
		{"negative count", &statisticsv1.SubmitReportRequest{Parent: "networks/louhannais", Period: "2024-02",
			Counts: &statisticsv1.ReportCounts{VictimsSupported: -1}}, "counts.victims_supported"},
		{"no counts", &statisticsv1.SubmitReportRequest{Parent: "networks/louhannais", Period: "2024-02"}, "counts"},
	}
	for _, tt := range tests {
		_, err := s.stats.SubmitReport(admin, tt.req)
		wantCode(t, tt.name, err, codes.InvalidArgument, tt.field)
	}
	_, err := s.stats.GetReport(admin, &statisticsv1.GetReportRequest{Name: "networks/louhannais/reports/2024-02"})
	wantCode(t, "the report after bad submissions", err, codes.NotFound, "")

	_, err = s.stats.QuerySeries(context.Background(), &statisticsv1.QuerySeriesRequest{Scope: "networks/-", Granularity: statisticsv1.Granularity_GRANULARITY_YEAR, StartPeriod: "2023", EndPeriod: "2020"})
	wantCode(t, "a range that ends before it starts", err, codes.InvalidArgument, "end_period")
	_, err = s.stats.QuerySeries(context.Background(), &statisticsv1.QuerySeriesRequest{Scope: "networks/-", StartPeriod: "2020", EndPeriod: "2021"})
	wantCode(t, "no granularity", err, codes.InvalidArgument, "granularity")
	_, err = s.stats.QuerySeries(context.Background(), &statisticsv1.QuerySeriesRequest{Scope: "networks/atlantis", Granularity: statisticsv1.Granularity_GRANULARITY_YEAR, StartPeriod: "2020", EndPeriod: "2021"})
	wantCode(t, "an unknown network", err, codes.NotFound, "")
}

// national: the seeded national growth is the article's +21 %, and admins enter more years.
func national(t *testing.T, s *statsSuite) {
	cmp, err := s.stats.CompareWithNational(context.Background(), &statisticsv1.CompareWithNationalRequest{Scope: "networks/-", StartYear: 2022, EndYear: 2022})
	if err != nil {
		t.Fatal(err)
	}
	y := cmp.GetYears()[0]
	if y.GetNationalChangePercent().GetValue() != 21 || !y.GetNationalIllustrative() || y.GetNationalSource() == "" || y.GetLocalChangePercent().Value == nil || y.GetGapPoints().Value == nil {
		t.Errorf("2022 comparison = %v; want national +21 %% (illustrative, with its source), local change and gap", y)
	}
	admin := s.as(t, auth.Claims{Role: auth.RoleAdmin})
	f, err := s.stats.CreateNationalFigure(admin, &statisticsv1.CreateNationalFigureRequest{Year: 2023, NationalFigure: &statisticsv1.NationalFigure{Value: 130_000, Source: "SSMSI, bilan 2023"}})
	if err != nil || f.GetName() != "nationalFigures/2023" {
		t.Fatalf("CreateNationalFigure(2023) = %v, %v", f, err)
	}
	_, err = s.stats.CreateNationalFigure(admin, &statisticsv1.CreateNationalFigureRequest{Year: 2023, NationalFigure: &statisticsv1.NationalFigure{Value: 1, Source: "x"}})
	wantCode(t, "a second figure for 2023", err, codes.AlreadyExists, "")
	_, err = s.stats.CreateNationalFigure(admin, &statisticsv1.CreateNationalFigureRequest{Year: 2024, NationalFigure: &statisticsv1.NationalFigure{Value: 1}})
	wantCode(t, "a figure without source", err, codes.InvalidArgument, "national_figure.source")
	// A link is shown to readers: only http and https, never javascript:, data: or file:.
	for _, u := range []string{"javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "ftp://example.org/x"} {
		_, err = s.stats.CreateNationalFigure(admin, &statisticsv1.CreateNationalFigureRequest{Year: 2024, NationalFigure: &statisticsv1.NationalFigure{Value: 1, Source: "x", SourceUrl: u}})
		wantCode(t, "source_url "+u, err, codes.InvalidArgument, "national_figure.source_url")
	}
	_, err = s.stats.CreateNationalFigure(s.as(t, auth.Claims{Role: auth.RoleCoordinator, Network: "chalonnais"}), &statisticsv1.CreateNationalFigureRequest{Year: 2024, NationalFigure: &statisticsv1.NationalFigure{Value: 1, Source: "x"}})
	wantCode(t, "a coordinator", err, codes.PermissionDenied, "")
	if ev := s.lastEvent(t, "vif.statistics.v1.national_figure.created"); ev == nil {
		t.Error("no national_figure.created event")
	}
}

// Package grpcapi serves the statistics service over gRPC: it translates between the API's
// protobuf messages and the domain, and nothing else. Protobuf types stop here.
package grpcapi

import (
	"context"
	"strconv"

	"github.com/vif71/vif/platform/aip"
	"github.com/vif71/vif/platform/validation"
	statisticsv1 "github.com/vif71/vif/proto/gen/go/vif/statistics/v1"
	"github.com/vif71/vif/services/statistics/internal/app"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// Server implements statisticsv1.StatisticsServiceServer.
type Server struct {
	statisticsv1.UnimplementedStatisticsServiceServer
	app *app.Service
}

// NewServer returns the gRPC face of svc.
func NewServer(svc *app.Service) *Server { return &Server{app: svc} }

// scopeOf reads `networks/{network}` or `networks/-` ("" for the département).
func scopeOf(name, field string) (string, error) {
	if name == "networks/-" {
		return "", nil
	}
	return aip.ID(name, "networks/", field)
}

// reportOf reads `networks/{network}/reports/{period}`.
func reportOf(name, field string) (string, domain.Period, error) {
	network, period, err := aip.Child(name, "networks", "reports", field)
	if err != nil {
		return "", domain.Period{}, err
	}
	p, err := domain.ParsePeriod(period)
	if err != nil {
		return "", domain.Period{}, validation.Field(field, err.Error())
	}
	return network, p, nil
}

// SubmitReport implements statisticsv1.StatisticsServiceServer.
func (s *Server) SubmitReport(ctx context.Context, req *statisticsv1.SubmitReportRequest) (*statisticsv1.Report, error) {
	network, err := aip.ID(req.GetParent(), "networks/", "parent")
	if err != nil {
		return nil, err
	}
	v, err := s.app.SubmitReport(ctx, actorFrom(ctx), network, req.GetPeriod(), submissionFromProto(req.GetCounts()))
	if err != nil {
		return nil, err
	}
	return reportToProto(v), nil
}

// GetReport implements statisticsv1.StatisticsServiceServer.
func (s *Server) GetReport(ctx context.Context, req *statisticsv1.GetReportRequest) (*statisticsv1.Report, error) {
	network, p, err := reportOf(req.GetName(), "name")
	if err != nil {
		return nil, err
	}
	v, err := s.app.GetReport(ctx, actorFrom(ctx), network, p)
	if err != nil {
		return nil, err
	}
	return reportToProto(v), nil
}

// ListReportRevisions implements statisticsv1.StatisticsServiceServer.
func (s *Server) ListReportRevisions(ctx context.Context, req *statisticsv1.ListReportRevisionsRequest) (*statisticsv1.ListReportRevisionsResponse, error) {
	network, p, err := reportOf(req.GetName(), "name")
	if err != nil {
		return nil, err
	}
	list, err := aip.ParseList(method("ListReportRevisions"), req.GetName(), "", req.GetPageToken(), req.GetPageSize())
	if err != nil {
		return nil, err
	}
	before, err := keyNumber(list.After, "page_token")
	if err != nil {
		return nil, err
	}
	page, err := s.app.ReportRevisions(ctx, actorFrom(ctx), network, p, before, list.Size)
	if err != nil {
		return nil, err
	}
	resp := &statisticsv1.ListReportRevisionsResponse{NextPageToken: list.NextToken(numberKey(page.Next))}
	for _, v := range page.Items {
		resp.Reports = append(resp.Reports, reportToProto(v))
	}
	return resp, nil
}

// QuerySeries implements statisticsv1.StatisticsServiceServer.
func (s *Server) QuerySeries(ctx context.Context, req *statisticsv1.QuerySeriesRequest) (*statisticsv1.Series, error) {
	scope, err := scopeOf(req.GetScope(), "scope")
	if err != nil {
		return nil, err
	}
	g, ok := granularities[req.GetGranularity()]
	if !ok {
		return nil, validation.Field("granularity", "is required: GRANULARITY_YEAR, GRANULARITY_QUARTER or GRANULARITY_MONTH")
	}
	series, err := s.app.QuerySeries(ctx, actorFrom(ctx), scope, g, req.GetStartPeriod(), req.GetEndPeriod())
	if err != nil {
		return nil, err
	}
	return seriesToProto(series), nil
}

// CompareWithNational implements statisticsv1.StatisticsServiceServer.
func (s *Server) CompareWithNational(ctx context.Context, req *statisticsv1.CompareWithNationalRequest) (*statisticsv1.NationalComparison, error) {
	scope, err := scopeOf(req.GetScope(), "scope")
	if err != nil {
		return nil, err
	}
	years, raw, err := s.app.CompareWithNational(ctx, actorFrom(ctx), scope, int(req.GetStartYear()), int(req.GetEndYear()))
	if err != nil {
		return nil, err
	}
	return comparisonToProto(scope, raw, years), nil
}

// yearOf reads `years/{year}`.
func yearOf(name, field string) (int, error) {
	id, err := aip.ID(name, "years/", field)
	if err != nil {
		return 0, err
	}
	year, err := strconv.Atoi(id)
	if err != nil {
		return 0, validation.Field(field, "must be years/{year}")
	}
	return year, nil
}

// PublishRelease implements statisticsv1.StatisticsServiceServer.
func (s *Server) PublishRelease(ctx context.Context, req *statisticsv1.PublishReleaseRequest) (*statisticsv1.Release, error) {
	year, err := yearOf(req.GetParent(), "parent")
	if err != nil {
		return nil, err
	}
	r, err := s.app.PublishRelease(ctx, actorFrom(ctx), year)
	if err != nil {
		return nil, err
	}
	return releaseToProto(r), nil
}

// ListReleases implements statisticsv1.StatisticsServiceServer.
func (s *Server) ListReleases(ctx context.Context, req *statisticsv1.ListReleasesRequest) (*statisticsv1.ListReleasesResponse, error) {
	year, err := yearOf(req.GetParent(), "parent")
	if err != nil {
		return nil, err
	}
	list, err := aip.ParseList(method("ListReleases"), req.GetParent(), "", req.GetPageToken(), req.GetPageSize())
	if err != nil {
		return nil, err
	}
	after, err := keyNumber(list.After, "page_token")
	if err != nil {
		return nil, err
	}
	page, err := s.app.ListReleases(ctx, year, int(after), list.Size)
	if err != nil {
		return nil, err
	}
	resp := &statisticsv1.ListReleasesResponse{NextPageToken: list.NextToken(numberKey(page.Next))}
	for _, r := range page.Items {
		resp.Releases = append(resp.Releases, releaseToProto(r))
	}
	return resp, nil
}

// CreateNationalFigure implements statisticsv1.StatisticsServiceServer.
func (s *Server) CreateNationalFigure(ctx context.Context, req *statisticsv1.CreateNationalFigureRequest) (*statisticsv1.NationalFigure, error) {
	in := req.GetNationalFigure()
	f, err := s.app.CreateNationalFigure(ctx, domain.NationalFigure{
		Year: int(req.GetYear()), Value: in.GetValue(), Source: in.GetSource(), SourceURL: in.GetSourceUrl(),
	})
	if err != nil {
		return nil, err
	}
	return nationalToProto(f), nil
}

// GetNationalFigure implements statisticsv1.StatisticsServiceServer.
func (s *Server) GetNationalFigure(ctx context.Context, req *statisticsv1.GetNationalFigureRequest) (*statisticsv1.NationalFigure, error) {
	id, err := aip.ID(req.GetName(), "nationalFigures/", "name")
	if err != nil {
		return nil, err
	}
	year, err := strconv.Atoi(id)
	if err != nil {
		return nil, validation.Field("name", "must be nationalFigures/{year}")
	}
	f, err := s.app.GetNationalFigure(ctx, year)
	if err != nil {
		return nil, err
	}
	return nationalToProto(f), nil
}

// ListNationalFigures implements statisticsv1.StatisticsServiceServer.
func (s *Server) ListNationalFigures(ctx context.Context, req *statisticsv1.ListNationalFiguresRequest) (*statisticsv1.ListNationalFiguresResponse, error) {
	list, err := aip.ParseList(method("ListNationalFigures"), "", "", req.GetPageToken(), req.GetPageSize())
	if err != nil {
		return nil, err
	}
	after, err := keyNumber(list.After, "page_token")
	if err != nil {
		return nil, err
	}
	page, err := s.app.ListNationalFigures(ctx, int(after), list.Size)
	if err != nil {
		return nil, err
	}
	resp := &statisticsv1.ListNationalFiguresResponse{NextPageToken: list.NextToken(numberKey(page.Next)), TotalSize: int32(page.Total)}
	for _, f := range page.Items {
		resp.NationalFigures = append(resp.NationalFigures, nationalToProto(f))
	}
	return resp, nil
}

// keyNumber reads the number a page token resumes after (0 for the first page).
func keyNumber(key, field string) (int64, error) {
	if key == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(key, 10, 64)
	if err != nil || n <= 0 {
		return 0, validation.Field(field, "is not a token this method gave")
	}
	return n, nil
}

func numberKey(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// Package grpcapi serves the funding service over gRPC: it translates between the API's protobuf
// messages and the domain, and nothing else. Protobuf types stop here.
package grpcapi

import (
	"context"
	"strconv"

	"google.golang.org/genproto/googleapis/api/httpbody"

	"github.com/vif71/vif/platform/aip"
	"github.com/vif71/vif/platform/calendar/datepb"
	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/validation"
	fundingv1 "github.com/vif71/vif/proto/gen/go/vif/funding/v1"
	"github.com/vif71/vif/services/funding/internal/app"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// Server implements fundingv1.FundingServiceServer.
type Server struct {
	fundingv1.UnimplementedFundingServiceServer
	app *app.Service
}

// NewServer returns the gRPC face of svc.
func NewServer(svc *app.Service) *Server { return &Server{app: svc} }

func yearValue(v string) (string, error) {
	y, err := strconv.Atoi(v)
	if err != nil || y < 2000 || y > 2100 {
		return "", validation.Field("filter", "year must be a year between 2000 and 2100, got "+strconv.Quote(v))
	}
	return v, nil
}

// CreateFunder implements fundingv1.FundingServiceServer.
func (s *Server) CreateFunder(ctx context.Context, req *fundingv1.CreateFunderRequest) (*fundingv1.Funder, error) {
	f := funderFromProto(req.GetFunder())
	f.ID = req.GetFunderId()
	created, err := s.app.CreateFunder(ctx, f)
	if err != nil {
		return nil, err
	}
	return funderToProto(created), nil
}

// GetFunder implements fundingv1.FundingServiceServer.
func (s *Server) GetFunder(ctx context.Context, req *fundingv1.GetFunderRequest) (*fundingv1.Funder, error) {
	id, err := aip.ID(req.GetName(), "funders/", "name")
	if err != nil {
		return nil, err
	}
	f, err := s.app.GetFunder(ctx, id)
	if err != nil {
		return nil, err
	}
	return funderToProto(f), nil
}

var funderFilters = aip.Filters{
	"kind":         aip.EnumOf(kindPrefix, func(s string) bool { return domain.FunderKind(s).Valid() }),
	"epci":         aip.IDOf("epcis/"),
	"organisation": aip.IDOf("organisations/"),
}

// ListFunders implements fundingv1.FundingServiceServer.
func (s *Server) ListFunders(ctx context.Context, req *fundingv1.ListFundersRequest) (*fundingv1.ListFundersResponse, error) {
	page, err := aip.ListFiltered("ListFunders", "", req, funderFilters, func(q aip.Query) (resource.Page[*domain.Funder], error) {
		return s.app.ListFunders(ctx, domain.Query(q))
	}, funderToProto)
	if err != nil {
		return nil, err
	}
	return &fundingv1.ListFundersResponse{Funders: page.Items, TotalSize: page.TotalSize, NextPageToken: page.NextPageToken}, nil
}

// UpdateFunder implements fundingv1.FundingServiceServer.
func (s *Server) UpdateFunder(ctx context.Context, req *fundingv1.UpdateFunderRequest) (*fundingv1.Funder, error) {
	id, err := aip.ID(req.GetFunder().GetName(), "funders/", "funder.name")
	if err != nil {
		return nil, err
	}
	mask, err := aip.ResolveMask(req.GetUpdateMask(), req.GetFunder(), domain.FunderFields)
	if err != nil {
		return nil, err
	}
	f, err := s.app.UpdateFunder(ctx, id, funderFromProto(req.GetFunder()), mask, req.GetFunder().GetEtag())
	if err != nil {
		return nil, err
	}
	return funderToProto(f), nil
}

// CreatePost implements fundingv1.FundingServiceServer.
func (s *Server) CreatePost(ctx context.Context, req *fundingv1.CreatePostRequest) (*fundingv1.Post, error) {
	p := postFromProto(req.GetPost())
	p.ID = req.GetPostId()
	created, err := s.app.CreatePost(ctx, p)
	if err != nil {
		return nil, err
	}
	return postToProto(created), nil
}

// GetPost implements fundingv1.FundingServiceServer.
func (s *Server) GetPost(ctx context.Context, req *fundingv1.GetPostRequest) (*fundingv1.Post, error) {
	id, err := aip.ID(req.GetName(), "posts/", "name")
	if err != nil {
		return nil, err
	}
	p, err := s.app.GetPost(ctx, id)
	if err != nil {
		return nil, err
	}
	return postToProto(p), nil
}

var postFilters = aip.Filters{
	"network":           aip.IDOf("networks/"),
	"host_organisation": aip.IDOf("organisations/"),
}

// ListPosts implements fundingv1.FundingServiceServer.
func (s *Server) ListPosts(ctx context.Context, req *fundingv1.ListPostsRequest) (*fundingv1.ListPostsResponse, error) {
	page, err := aip.ListFiltered("ListPosts", "", req, postFilters, func(q aip.Query) (resource.Page[*domain.Post], error) {
		return s.app.ListPosts(ctx, domain.Query(q))
	}, postToProto)
	if err != nil {
		return nil, err
	}
	return &fundingv1.ListPostsResponse{Posts: page.Items, TotalSize: page.TotalSize, NextPageToken: page.NextPageToken}, nil
}

// UpdatePost implements fundingv1.FundingServiceServer.
func (s *Server) UpdatePost(ctx context.Context, req *fundingv1.UpdatePostRequest) (*fundingv1.Post, error) {
	id, err := aip.ID(req.GetPost().GetName(), "posts/", "post.name")
	if err != nil {
		return nil, err
	}
	mask, err := aip.ResolveMask(req.GetUpdateMask(), req.GetPost(), domain.PostFields)
	if err != nil {
		return nil, err
	}
	p, err := s.app.UpdatePost(ctx, id, postFromProto(req.GetPost()), mask, req.GetPost().GetEtag())
	if err != nil {
		return nil, err
	}
	return postToProto(p), nil
}

// planName splits posts/{post}/plans/{year}.
func planName(name, field string) (string, int32, error) {
	post, plan, err := aip.Child(name, "posts", "plans", field)
	if err != nil {
		return "", 0, err
	}
	year, err := strconv.Atoi(plan)
	if err != nil {
		return "", 0, validation.Field(field, "the plan id is its year, e.g. posts/{post}/plans/2024")
	}
	return post, int32(year), nil
}

// CreateFundingPlan implements fundingv1.FundingServiceServer.
func (s *Server) CreateFundingPlan(ctx context.Context, req *fundingv1.CreateFundingPlanRequest) (*fundingv1.FundingPlan, error) {
	post, err := aip.ID(req.GetParent(), "posts/", "parent")
	if err != nil {
		return nil, err
	}
	p := planFromProto(req.GetFundingPlan())
	p.Post, p.Year = post, req.GetYear()
	created, err := s.app.CreatePlan(ctx, p)
	if err != nil {
		return nil, err
	}
	return planToProto(created), nil
}

// GetFundingPlan implements fundingv1.FundingServiceServer.
func (s *Server) GetFundingPlan(ctx context.Context, req *fundingv1.GetFundingPlanRequest) (*fundingv1.FundingPlan, error) {
	post, year, err := planName(req.GetName(), "name")
	if err != nil {
		return nil, err
	}
	p, err := s.app.GetPlan(ctx, post, year)
	if err != nil {
		return nil, err
	}
	return planToProto(p), nil
}

var planFilters = aip.Filters{"year": yearValue}

// ListFundingPlans implements fundingv1.FundingServiceServer.
func (s *Server) ListFundingPlans(ctx context.Context, req *fundingv1.ListFundingPlansRequest) (*fundingv1.ListFundingPlansResponse, error) {
	post, err := aip.ID(req.GetParent(), "posts/", "parent")
	if err != nil {
		return nil, err
	}
	page, err := aip.ListFiltered("ListFundingPlans", req.GetParent(), req, planFilters, func(q aip.Query) (resource.Page[*domain.Plan], error) {
		if post != "-" {
			q.Filters["post"] = post
		}
		return s.app.ListPlans(ctx, domain.Query(q))
	}, planToProto)
	if err != nil {
		return nil, err
	}
	return &fundingv1.ListFundingPlansResponse{FundingPlans: page.Items, TotalSize: page.TotalSize, NextPageToken: page.NextPageToken}, nil
}

// UpdateFundingPlan implements fundingv1.FundingServiceServer.
func (s *Server) UpdateFundingPlan(ctx context.Context, req *fundingv1.UpdateFundingPlanRequest) (*fundingv1.FundingPlan, error) {
	post, year, err := planName(req.GetFundingPlan().GetName(), "funding_plan.name")
	if err != nil {
		return nil, err
	}
	mask, err := aip.ResolveMask(req.GetUpdateMask(), req.GetFundingPlan(), domain.PlanFields)
	if err != nil {
		return nil, err
	}
	p, err := s.app.UpdatePlan(ctx, post, year, planFromProto(req.GetFundingPlan()), mask, req.GetFundingPlan().GetEtag())
	if err != nil {
		return nil, err
	}
	return planToProto(p), nil
}

// CreateAgreement implements fundingv1.FundingServiceServer.
func (s *Server) CreateAgreement(ctx context.Context, req *fundingv1.CreateAgreementRequest) (*fundingv1.Agreement, error) {
	if req.GetAgreement().GetPlan() == "" {
		return nil, validation.Field("agreement.plan", "is required: posts/{post}/plans/{year}")
	}
	post, year, err := planName(req.GetAgreement().GetPlan(), "agreement.plan")
	if err != nil {
		return nil, err
	}
	a := domain.Agreement{
		ID: req.GetAgreementId(), Post: post, Year: year,
		Reference: req.GetAgreement().GetReference(), Purpose: req.GetAgreement().GetPurpose(),
	}
	created, err := s.app.CreateAgreement(ctx, a)
	if err != nil {
		return nil, err
	}
	return agreementToProto(created), nil
}

// GetAgreement implements fundingv1.FundingServiceServer.
func (s *Server) GetAgreement(ctx context.Context, req *fundingv1.GetAgreementRequest) (*fundingv1.Agreement, error) {
	id, err := aip.ID(req.GetName(), "agreements/", "name")
	if err != nil {
		return nil, err
	}
	a, err := s.app.GetAgreement(ctx, id)
	if err != nil {
		return nil, err
	}
	return agreementToProto(a), nil
}

var agreementFilters = aip.Filters{
	"state": aip.EnumOf(statePrefix, func(s string) bool {
		for _, st := range domain.AgreementStates {
			if string(st) == s {
				return true
			}
		}
		return false
	}),
	"year": yearValue,
	"post": aip.IDOf("posts/"),
}

// ListAgreements implements fundingv1.FundingServiceServer.
func (s *Server) ListAgreements(ctx context.Context, req *fundingv1.ListAgreementsRequest) (*fundingv1.ListAgreementsResponse, error) {
	page, err := aip.ListFiltered("ListAgreements", "", req, agreementFilters, func(q aip.Query) (resource.Page[*domain.Agreement], error) {
		return s.app.ListAgreements(ctx, domain.Query(q))
	}, agreementToProto)
	if err != nil {
		return nil, err
	}
	return &fundingv1.ListAgreementsResponse{Agreements: page.Items, TotalSize: page.TotalSize, NextPageToken: page.NextPageToken}, nil
}

// SignAgreement implements fundingv1.FundingServiceServer.
func (s *Server) SignAgreement(ctx context.Context, req *fundingv1.SignAgreementRequest) (*fundingv1.Agreement, error) {
	id, err := aip.ID(req.GetName(), "agreements/", "name")
	if err != nil {
		return nil, err
	}
	a, err := s.app.SignAgreement(ctx, id, req.GetReference(), datepb.FromProto(req.GetSignDate()), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return agreementToProto(a), nil
}

// ActivateAgreement implements fundingv1.FundingServiceServer.
func (s *Server) ActivateAgreement(ctx context.Context, req *fundingv1.ActivateAgreementRequest) (*fundingv1.Agreement, error) {
	id, err := aip.ID(req.GetName(), "agreements/", "name")
	if err != nil {
		return nil, err
	}
	a, err := s.app.ActivateAgreement(ctx, id, datepb.FromProto(req.GetStartDate()), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return agreementToProto(a), nil
}

// CloseAgreement implements fundingv1.FundingServiceServer.
func (s *Server) CloseAgreement(ctx context.Context, req *fundingv1.CloseAgreementRequest) (*fundingv1.Agreement, error) {
	id, err := aip.ID(req.GetName(), "agreements/", "name")
	if err != nil {
		return nil, err
	}
	a, err := s.app.CloseAgreement(ctx, id, datepb.FromProto(req.GetCloseDate()), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return agreementToProto(a), nil
}

// ExportAgreements implements fundingv1.FundingServiceServer.
func (s *Server) ExportAgreements(ctx context.Context, req *fundingv1.ExportAgreementsRequest) (*httpbody.HttpBody, error) {
	data, err := s.app.ExportCSV(ctx, req.GetYear())
	if err != nil {
		return nil, err
	}
	return &httpbody.HttpBody{ContentType: "text/csv; charset=utf-8", Data: data}, nil
}

// contributionName splits agreements/{agreement}/contributions/{funder}.
func contributionName(name, field string) (string, string, error) {
	return aip.Child(name, "agreements", "contributions", field)
}

// GetContribution implements fundingv1.FundingServiceServer.
func (s *Server) GetContribution(ctx context.Context, req *fundingv1.GetContributionRequest) (*fundingv1.Contribution, error) {
	agreement, funder, err := contributionName(req.GetName(), "name")
	if err != nil {
		return nil, err
	}
	c, err := s.app.GetContribution(ctx, actorFrom(ctx), agreement, funder)
	if err != nil {
		return nil, err
	}
	return contributionToProto(c), nil
}

var contributionFilters = aip.Filters{
	"funder": aip.IDOf("funders/"),
	"year":   yearValue,
}

// ListContributions implements fundingv1.FundingServiceServer.
func (s *Server) ListContributions(ctx context.Context, req *fundingv1.ListContributionsRequest) (*fundingv1.ListContributionsResponse, error) {
	agreement, err := aip.ID(req.GetParent(), "agreements/", "parent")
	if err != nil {
		return nil, err
	}
	page, err := aip.ListFiltered("ListContributions", req.GetParent(), req, contributionFilters, func(q aip.Query) (resource.Page[*domain.Contribution], error) {
		if agreement != "-" {
			q.Filters["agreement"] = agreement
		}
		return s.app.ListContributions(ctx, actorFrom(ctx), domain.Query(q))
	}, contributionToProto)
	if err != nil {
		return nil, err
	}
	return &fundingv1.ListContributionsResponse{Contributions: page.Items, TotalSize: page.TotalSize, NextPageToken: page.NextPageToken}, nil
}

// CallContribution implements fundingv1.FundingServiceServer.
func (s *Server) CallContribution(ctx context.Context, req *fundingv1.CallContributionRequest) (*fundingv1.Contribution, error) {
	agreement, funder, err := contributionName(req.GetName(), "name")
	if err != nil {
		return nil, err
	}
	c, err := s.app.CallContribution(ctx, agreement, funder, req.GetAmountCents(), datepb.FromProto(req.GetCallDate()), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return contributionToProto(c), nil
}

// RecordPayment implements fundingv1.FundingServiceServer.
func (s *Server) RecordPayment(ctx context.Context, req *fundingv1.RecordPaymentRequest) (*fundingv1.Contribution, error) {
	agreement, funder, err := contributionName(req.GetName(), "name")
	if err != nil {
		return nil, err
	}
	pay := domain.Payment{AmountCents: req.GetAmountCents(), Date: datepb.FromProto(req.GetPaymentDate()), Reference: req.GetReference()}
	c, err := s.app.RecordPayment(ctx, agreement, funder, pay, req.GetEtag())
	if err != nil {
		return nil, err
	}
	return contributionToProto(c), nil
}

// GetFunderYearSummary implements fundingv1.FundingServiceServer.
func (s *Server) GetFunderYearSummary(ctx context.Context, req *fundingv1.GetFunderYearSummaryRequest) (*fundingv1.FunderYearSummary, error) {
	id, err := aip.ID(req.GetFunder(), "funders/", "funder")
	if err != nil {
		return nil, err
	}
	sum, err := s.app.FunderYear(ctx, actorFrom(ctx), id, req.GetYear())
	if err != nil {
		return nil, err
	}
	return &fundingv1.FunderYearSummary{
		Funder: req.GetFunder(), Year: sum.Year, PlannedCents: sum.PlannedCents, CommittedCents: sum.CommittedCents,
		CalledCents: sum.CalledCents, PaidCents: sum.PaidCents, OutstandingCents: sum.Outstanding, PostCount: int32(sum.PostCount),
	}, nil
}

// GetYearSummary implements fundingv1.FundingServiceServer.
func (s *Server) GetYearSummary(ctx context.Context, req *fundingv1.GetYearSummaryRequest) (*fundingv1.YearSummary, error) {
	sum, err := s.app.Year(ctx, req.GetYear())
	if err != nil {
		return nil, err
	}
	out := &fundingv1.YearSummary{
		Year: sum.Year, PostCount: int32(sum.PostCount), TotalCostCents: sum.TotalCostCents,
		StateEffectiveShareBp: sum.StateEffectiveShareBP,
	}
	for _, k := range domain.FunderKinds {
		if amount, ok := sum.ByKind[k]; ok {
			out.ByKind = append(out.ByKind, &fundingv1.KindTotal{Kind: kindToProto(k), AmountCents: amount})
		}
	}
	return out, nil
}

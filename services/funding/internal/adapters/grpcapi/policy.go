package grpcapi

import (
	"github.com/vif71/vif/platform/auth"
	fundingv1 "github.com/vif71/vif/proto/gen/go/vif/funding/v1"
)

func method(name string) string {
	return "/" + fundingv1.FundingService_ServiceDesc.ServiceName + "/" + name
}

var (
	writers = []auth.Role{auth.RoleAdmin, auth.RoleFinance}
	// Contributions, and a funder's year summary, are narrowed further by the use case: a
	// funder's officers see their own.
	contributionReaders = []auth.Role{auth.RoleAdmin, auth.RoleFinance, auth.RoleFunder}
)

// Policy says who may call each method: admins and finance officers write; any authenticated
// caller reads funders, posts, plans, agreements and the département's totals (public money, no
// personal data); what one funder was called for and paid is read as its contributions are.
var Policy = auth.Policy{
	method("CreateFunder"):         {Roles: writers, Write: true},
	method("GetFunder"):            {},
	method("ListFunders"):          {},
	method("UpdateFunder"):         {Roles: writers, Write: true},
	method("CreatePost"):           {Roles: writers, Write: true},
	method("GetPost"):              {},
	method("ListPosts"):            {},
	method("UpdatePost"):           {Roles: writers, Write: true},
	method("CreateFundingPlan"):    {Roles: writers, Write: true},
	method("GetFundingPlan"):       {},
	method("ListFundingPlans"):     {},
	method("UpdateFundingPlan"):    {Roles: writers, Write: true},
	method("CreateAgreement"):      {Roles: writers, Write: true},
	method("GetAgreement"):         {},
	method("ListAgreements"):       {},
	method("SignAgreement"):        {Roles: writers, Write: true},
	method("ActivateAgreement"):    {Roles: writers, Write: true},
	method("CloseAgreement"):       {Roles: writers, Write: true},
	method("ExportAgreements"):     {},
	method("GetContribution"):      {Roles: contributionReaders},
	method("ListContributions"):    {Roles: contributionReaders},
	method("CallContribution"):     {Roles: writers, Write: true},
	method("RecordPayment"):        {Roles: writers, Write: true},
	method("GetFunderYearSummary"): {Roles: contributionReaders},
	method("GetYearSummary"):       {},
}

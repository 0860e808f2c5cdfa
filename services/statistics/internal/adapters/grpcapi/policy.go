package grpcapi

import (
	"github.com/vif71/vif/platform/auth"
	statisticsv1 "github.com/vif71/vif/proto/gen/go/vif/statistics/v1"
)

func method(name string) string {
	return "/" + statisticsv1.StatisticsService_ServiceDesc.ServiceName + "/" + name
}

// Policy says who may call each method. Reads are public: figures leave the service protected
// unless the caller's token entitles them to raw counts (an admin; a coordinator for their own
// network), which the use cases decide. Coordinators submit their network's reports (checked by
// the use case), admins any network's; admins publish the figures (PublishRelease, checked by
// the use case too) and enter the national series. ListReleases is public: it says when figures
// were published, nothing else.
var Policy = auth.Policy{
	method("SubmitReport"):         {Roles: []auth.Role{auth.RoleAdmin, auth.RoleCoordinator}, Write: true},
	method("GetReport"):            {Public: true},
	method("ListReportRevisions"):  {Public: true},
	method("QuerySeries"):          {Public: true},
	method("CompareWithNational"):  {Public: true},
	method("PublishRelease"):       {Roles: []auth.Role{auth.RoleAdmin}, Write: true},
	method("ListReleases"):         {Public: true},
	method("CreateNationalFigure"): {Roles: []auth.Role{auth.RoleAdmin}, Write: true},
	method("GetNationalFigure"):    {Public: true},
	method("ListNationalFigures"):  {Public: true},
}

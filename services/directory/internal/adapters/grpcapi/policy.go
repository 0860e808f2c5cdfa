package grpcapi

import (
	"github.com/vif71/vif/platform/auth"
	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
)

func method(name string) string {
	return "/" + directoryv1.DirectoryService_ServiceDesc.ServiceName + "/" + name
}

// Policy says who may call each method. The referential and the organisations are public
// (institutions, open data); members are professionals: any authenticated caller may read them,
// admins and the network's coordinators may change them (the scope is checked by the use case).
var Policy = auth.Policy{
	method("GetNetwork"):           {Public: true},
	method("ListNetworks"):         {Public: true},
	method("GetCommune"):           {Public: true},
	method("ListCommunes"):         {Public: true},
	method("GetEpci"):              {Public: true},
	method("ListEpcis"):            {Public: true},
	method("GetOrganisation"):      {Public: true},
	method("ListOrganisations"):    {Public: true},
	method("CreateOrganisation"):   {Roles: []auth.Role{auth.RoleAdmin}, Write: true},
	method("UpdateOrganisation"):   {Roles: []auth.Role{auth.RoleAdmin}, Write: true},
	method("DeleteOrganisation"):   {Roles: []auth.Role{auth.RoleAdmin}, Write: true},
	method("UndeleteOrganisation"): {Roles: []auth.Role{auth.RoleAdmin}, Write: true},
	method("GetMember"):            {},
	method("ListMembers"):          {},
	method("CreateMember"):         {Roles: []auth.Role{auth.RoleAdmin, auth.RoleCoordinator}, Write: true},
	method("UpdateMember"):         {Roles: []auth.Role{auth.RoleAdmin, auth.RoleCoordinator}, Write: true},
	method("DeleteMember"):         {Roles: []auth.Role{auth.RoleAdmin, auth.RoleCoordinator}, Write: true},
}

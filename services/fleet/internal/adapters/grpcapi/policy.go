package grpcapi

import (
	"github.com/vif71/vif/platform/auth"
	fleetv1 "github.com/vif71/vif/proto/gen/go/vif/fleet/v1"
)

func method(name string) string {
	return "/" + fleetv1.FleetService_ServiceDesc.ServiceName + "/" + name
}

var writers = []auth.Role{auth.RoleAdmin, auth.RoleFleet}

// Policy says who may call each method: the Caf's fleet managers and admins write; any
// authenticated caller reads (a beneficiary's staff only their own cessions, checked by the use
// case). Officials appear by name and title only, so nothing personal is exposed.
var Policy = auth.Policy{
	method("RegisterVehicle"):       {Roles: writers, Write: true},
	method("GetVehicle"):            {},
	method("ListVehicles"):          {},
	method("UpdateVehicle"):         {Roles: writers, Write: true},
	method("RecordOdometerReading"): {Roles: writers, Write: true},
	method("RetireVehicle"):         {Roles: writers, Write: true},
	method("ScrapVehicle"):          {Roles: writers, Write: true},
	method("ProposeCession"):        {Roles: writers, Write: true},
	method("GetCession"):            {},
	method("ListCessions"):          {},
	method("CountCessions"):         {},
	method("ApproveCession"):        {Roles: writers, Write: true},
	method("RejectCession"):         {Roles: writers, Write: true},
	method("HandOverCession"):       {Roles: writers, Write: true},
	method("DeclareCession"):        {Roles: writers, Write: true},
	method("CancelCession"):         {Roles: writers, Write: true},
}

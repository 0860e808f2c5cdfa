package auth

import (
	"fmt"
	"strings"
)

// Role is what a bearer may do, before any scope (network, organisation) is applied.
type Role string

const (
	RoleAdmin       Role = "admin"       // everything
	RoleCoordinator Role = "coordinator" // scoped to one network (Claims.Network): may edit its own network only
	RoleReader      Role = "reader"      // reads
	RoleFinance     Role = "finance"     // funding officers (later services)
	RoleFleet       Role = "fleet"       // the Caf's fleet managers (later services)
	RoleFunder      Role = "funder"      // a funder's officer, scoped to Claims.Organisation
	RoleBeneficiary Role = "beneficiary" // a partner organisation's staff, scoped to Claims.Organisation
)

// roles lists the known roles in the order error messages name them.
var roles = []Role{
	RoleAdmin, RoleCoordinator, RoleReader, RoleFinance, RoleFleet, RoleFunder, RoleBeneficiary,
}

// ParseRole returns the role named s. Matching is exact: a token or a command line that says
// "Admin" is a mistake worth reporting rather than guessing at.
func ParseRole(s string) (Role, error) {
	for _, r := range roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q; want one of %s", s, roleList())
}

func roleList() string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// scope says which claim a role must carry to mean anything: a coordinator without a network,
// or a funder without an organisation, would otherwise be scoped to nothing and the app layers
// would have to guess.
func (r Role) scope() string {
	switch r {
	case RoleCoordinator:
		return "network"
	case RoleFunder, RoleBeneficiary:
		return "organisation"
	}
	return ""
}

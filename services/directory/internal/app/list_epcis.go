package app

import (
	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/directory/internal/refdata"
)

// ListEPCIs returns one page of the EPCIs of network (all when empty), after the SIREN after.
func (s *Service) ListEPCIs(network, after string, limit int) resource.Page[refdata.EPCI] {
	match := func(e refdata.EPCI) bool { return network == "" || e.Network == network }
	return paginate(s.ref.EPCIs, func(e refdata.EPCI) string { return e.SIREN }, match, after, limit)
}

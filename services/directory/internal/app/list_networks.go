package app

import (
	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/directory/internal/refdata"
)

// ListNetworks returns one page of networks after the id after.
func (s *Service) ListNetworks(after string, limit int) resource.Page[refdata.Network] {
	return paginate(s.ref.Networks, func(n refdata.Network) string { return n.ID }, nil, after, limit)
}

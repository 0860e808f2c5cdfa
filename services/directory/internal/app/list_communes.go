package app

import (
	"slices"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/directory/internal/refdata"
)

// ListCommunes returns one page of the communes q selects, after the INSEE code after.
func (s *Service) ListCommunes(q CommuneQuery, after string, limit int) resource.Page[refdata.Commune] {
	match := func(c refdata.Commune) bool {
		return (q.Network == "" || c.Network == q.Network) &&
			(q.EPCI == "" || c.EPCI == q.EPCI) &&
			(q.PostalCode == "" || slices.Contains(c.PostalCodes, q.PostalCode))
	}
	return paginate(s.ref.Communes, func(c refdata.Commune) string { return c.Code }, match, after, limit)
}

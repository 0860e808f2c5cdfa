package app

import (
	"fmt"
	"slices"

	"github.com/vif71/vif/services/directory/internal/domain"
	"github.com/vif71/vif/services/directory/internal/refdata"
)

// The referential (networks, communes, EPCIs) is read-only data compiled into the binary: its
// queries read memory, not the database.

// GetNetwork returns a network by id.
func (s *Service) GetNetwork(id string) (refdata.Network, error) {
	n, ok := s.ref.Network(id)
	if !ok {
		return n, fmt.Errorf("networks/%s: %w", id, domain.ErrNotFound)
	}
	return n, nil
}

// ListNetworks returns one page of networks after the id after.
func (s *Service) ListNetworks(after string, limit int) Page[refdata.Network] {
	return paginate(s.ref.Networks, func(n refdata.Network) string { return n.ID }, nil, after, limit)
}

// GetCommune returns a commune by INSEE code.
func (s *Service) GetCommune(code string) (refdata.Commune, error) {
	c, ok := s.ref.Commune(code)
	if !ok {
		return c, fmt.Errorf("communes/%s: %w", code, domain.ErrNotFound)
	}
	return c, nil
}

// CommuneQuery selects communes; empty fields do not filter.
type CommuneQuery struct {
	Network    string // network id
	EPCI       string // SIREN
	PostalCode string
}

// ListCommunes returns one page of the communes q selects, after the INSEE code after.
func (s *Service) ListCommunes(q CommuneQuery, after string, limit int) Page[refdata.Commune] {
	match := func(c refdata.Commune) bool {
		return (q.Network == "" || c.Network == q.Network) &&
			(q.EPCI == "" || c.EPCI == q.EPCI) &&
			(q.PostalCode == "" || slices.Contains(c.PostalCodes, q.PostalCode))
	}
	return paginate(s.ref.Communes, func(c refdata.Commune) string { return c.Code }, match, after, limit)
}

// GetEPCI returns an EPCI by SIREN.
func (s *Service) GetEPCI(siren string) (refdata.EPCI, error) {
	e, ok := s.ref.EPCI(siren)
	if !ok {
		return e, fmt.Errorf("epcis/%s: %w", siren, domain.ErrNotFound)
	}
	return e, nil
}

// ListEPCIs returns one page of the EPCIs of network (all when empty), after the SIREN after.
func (s *Service) ListEPCIs(network, after string, limit int) Page[refdata.EPCI] {
	match := func(e refdata.EPCI) bool { return network == "" || e.Network == network }
	return paginate(s.ref.EPCIs, func(e refdata.EPCI) string { return e.SIREN }, match, after, limit)
}

// paginate pages through items sorted by key, keeping those match accepts (all when nil).
func paginate[T any](items []T, key func(T) string, match func(T) bool, after string, limit int) Page[T] {
	var page Page[T]
	for _, it := range items {
		if match != nil && !match(it) {
			continue
		}
		page.Total++
		if after != "" && key(it) <= after {
			continue
		}
		if len(page.Items) == limit {
			page.NextAfter = key(page.Items[limit-1])
			continue
		}
		page.Items = append(page.Items, it)
	}
	return page
}

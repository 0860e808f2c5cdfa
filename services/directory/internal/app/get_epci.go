package app

import (
	"fmt"

	"github.com/vif71/vif/services/directory/internal/domain"
	"github.com/vif71/vif/services/directory/internal/refdata"
)

// GetEPCI returns an EPCI by SIREN.
func (s *Service) GetEPCI(siren string) (refdata.EPCI, error) {
	e, ok := s.ref.EPCI(siren)
	if !ok {
		return e, fmt.Errorf("epcis/%s: %w", siren, domain.ErrNotFound)
	}
	return e, nil
}

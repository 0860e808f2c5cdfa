package app

import (
	"fmt"

	"github.com/vif71/vif/services/directory/internal/domain"
	"github.com/vif71/vif/services/directory/internal/refdata"
)

// GetCommune returns a commune by INSEE code.
func (s *Service) GetCommune(code string) (refdata.Commune, error) {
	c, ok := s.ref.Commune(code)
	if !ok {
		return c, fmt.Errorf("communes/%s: %w", code, domain.ErrNotFound)
	}
	return c, nil
}

package app

import (
	"fmt"

	"github.com/vif71/vif/services/directory/internal/domain"
	"github.com/vif71/vif/services/directory/internal/refdata"
)

// GetNetwork returns a network by id.
func (s *Service) GetNetwork(id string) (refdata.Network, error) {
	n, ok := s.ref.Network(id)
	if !ok {
		return n, fmt.Errorf("networks/%s: %w", id, domain.ErrNotFound)
	}
	return n, nil
}

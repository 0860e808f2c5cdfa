package app

import (
	"context"
	"fmt"

	"github.com/vif71/vif/services/statistics/internal/domain"
)

// GetNationalFigure returns one year of the national series.
func (s *Service) GetNationalFigure(ctx context.Context, year int) (*domain.NationalFigure, error) {
	f, err := s.repo.GetNationalFigure(ctx, year)
	if err != nil {
		return nil, fmt.Errorf("nationalFigures/%d: %w", year, err)
	}
	return f, nil
}

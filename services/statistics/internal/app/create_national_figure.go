package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// CreateNationalFigure enters one year of the national reference series. A retry with the same
// request_id (its key travels in ctx) returns the figure it created.
func (s *Service) CreateNationalFigure(ctx context.Context, f domain.NationalFigure) (*domain.NationalFigure, error) {
	f.Source, f.SourceURL = strings.TrimSpace(f.Source), strings.TrimSpace(f.SourceURL)
	var errs validation.Error
	if f.Source == "" {
		errs.Add("national_figure.source", "is required: the publisher, the title and the date of the figure")
	}
	if f.SourceURL != "" && !domain.ValidSourceURL(f.SourceURL) {
		errs.Add("national_figure.source_url", "must be an absolute http or https URL")
	}
	if f.Year < domain.FirstYear || f.Year > s.now().Year() {
		errs.Add("year", fmt.Sprintf("must be from %d to this year", domain.FirstYear))
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	f.CreateTime = s.now()
	created, _, err := s.repo.CreateNationalFigure(ctx, &f, []*domain.Event{{
		ID: s.ids(), Type: domain.NationalFigureCreated, Time: f.CreateTime, NationalFigure: &f,
	}})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name(), err)
	}
	return created, nil
}

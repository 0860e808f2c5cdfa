package domain_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/vif71/vif/platform/validation"
	"github.com/vif71/vif/services/funding/internal/domain"
)

func violates(err error, field string) bool {
	var ve *validation.Error
	return errors.As(err, &ve) && slices.ContainsFunc(ve.Violations, func(v validation.Violation) bool { return v.Field == field })
}

func TestPostCheckPlanYear(t *testing.T) {
	ended := &domain.Post{ID: "p", StartDate: "2022-03-01", EndDate: "2025-06-30"}
	open := &domain.Post{ID: "p", StartDate: "2022-03-01"}
	tests := []struct {
		post *domain.Post
		year int32
		ok   bool
	}{
		{ended, 2021, false}, {ended, 2022, true}, {ended, 2025, true}, {ended, 2026, false},
		{open, 2021, false}, {open, 2022, true}, {open, 2099, true},
	}
	for _, tt := range tests {
		err := tt.post.CheckPlanYear(tt.year)
		if tt.ok != (err == nil) || (err != nil && !violates(err, "year")) {
			t.Errorf("Post{%s..%s}.CheckPlanYear(%d) = %v; want ok %v", tt.post.StartDate, tt.post.EndDate, tt.year, err, tt.ok)
		}
	}
}

func TestAgreementCheckAfterSignature(t *testing.T) {
	signed := &domain.Agreement{ID: "a", SignDate: "2024-02-10"}
	tests := []struct {
		a   *domain.Agreement
		day domain.Date
		ok  bool
	}{
		{signed, "2024-02-09", false}, {signed, "2024-02-10", true}, {signed, "2025-01-01", true},
		{&domain.Agreement{ID: "draft"}, "2000-01-01", true},
	}
	for _, tt := range tests {
		err := tt.a.CheckAfterSignature("call_date", tt.day)
		if tt.ok != (err == nil) || (err != nil && !violates(err, "call_date")) {
			t.Errorf("Agreement{signed %q}.CheckAfterSignature(%s) = %v; want ok %v", tt.a.SignDate, tt.day, err, tt.ok)
		}
	}
}

func TestContributionSortPayments(t *testing.T) {
	c := &domain.Contribution{Payments: []domain.Payment{
		{Date: "2024-05-02", Reference: "3"}, {Date: "2024-03-15", Reference: "1"},
		{Date: "2024-04-01", Reference: "2a"}, {Date: "2024-04-01", Reference: "2b"},
	}}
	c.SortPayments()
	var got []string
	for _, p := range c.Payments {
		got = append(got, p.Reference)
	}
	if want := []string{"1", "2a", "2b", "3"}; !slices.Equal(got, want) {
		t.Errorf("SortPayments = %q; want %q (by day, recorded order within a day)", got, want)
	}
}

func TestPostCheckLifeCovers(t *testing.T) {
	p := &domain.Post{ID: "p", StartDate: "2023-01-01", EndDate: "2024-12-31"}
	if err := p.CheckLifeCovers([]int32{2023, 2024}); err != nil {
		t.Errorf("CheckLifeCovers(2023, 2024) = %v; want nil", err)
	}
	if err := p.CheckLifeCovers([]int32{2022}); !violates(err, "post.start_date") {
		t.Errorf("CheckLifeCovers(2022) = %v; want a violation of post.start_date", err)
	}
	if err := p.CheckLifeCovers([]int32{2025}); !violates(err, "post.end_date") {
		t.Errorf("CheckLifeCovers(2025) = %v; want a violation of post.end_date", err)
	}
}

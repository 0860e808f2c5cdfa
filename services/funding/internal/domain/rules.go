package domain

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vif71/vif/platform/validation"
)

// CheckPlanYear refuses a plan for a year outside the post's life: before the year of its start
// date, or after the year of its end date when it has one. The violation names the request's
// field (year).
func (p *Post) CheckPlanYear(year int32) error {
	if start := p.StartDate.Year(); start != 0 && int(year) < start {
		return validation.Field("year", fmt.Sprintf("%d is before %s starts (%s)", year, p.Name(), p.StartDate))
	}
	if end := p.EndDate.Year(); end != 0 && int(year) > end {
		return validation.Field("year", fmt.Sprintf("%d is after %s ends (%s)", year, p.Name(), p.EndDate))
	}
	return nil
}

// CheckLifeCovers refuses a start or end date that would leave the plan of one of years outside
// the post's life (see CheckPlanYear): a post's dates change only while they still cover its
// plans. The violation names the request's field that excludes the plan.
func (p *Post) CheckLifeCovers(years []int32) error {
	var errs validation.Error
	for _, y := range years {
		if start := p.StartDate.Year(); start != 0 && int(y) < start {
			errs.Add("post.start_date", fmt.Sprintf("%s is after the year of %s", p.StartDate, PlanName(p.ID, y)))
		}
		if end := p.EndDate.Year(); end != 0 && int(y) > end {
			errs.Add("post.end_date", fmt.Sprintf("%s is before the year of %s", p.EndDate, PlanName(p.ID, y)))
		}
	}
	return errs.Err()
}

// CheckAfterSignature refuses a day, given as field, before the agreement was signed: what it
// commits is neither called nor paid before it exists. An agreement not signed yet has no day to
// compare with; its state is checked on its own.
func (a *Agreement) CheckAfterSignature(field string, d Date) error {
	if a.SignDate != "" && d.Valid() && d < a.SignDate {
		return validation.Field(field, fmt.Sprintf("%s is before %s was signed (%s)", d, a.Name(), a.SignDate))
	}
	return nil
}

// SortPayments puts a contribution's payments oldest first, as the API lists them: by day, and
// in the order they were recorded within a day. A payment recorded late (a transfer of March
// entered in May, after April's) takes its place by its day.
func (c *Contribution) SortPayments() {
	slices.SortStableFunc(c.Payments, func(a, b Payment) int { return strings.Compare(string(a.Date), string(b.Date)) })
}

package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vif71/vif/platform/csvexport"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// FunderYearSummary is one funder's commitments for a year.
type FunderYearSummary struct {
	Funder                                                            string
	Year                                                              int32
	PlannedCents, CommittedCents, CalledCents, PaidCents, Outstanding int64
	PostCount                                                         int
}

// FunderYear sums a funder's contributions in a year's plans and agreements. Like the
// contributions it adds up, it is read by managers and by the funder's own officers; to anybody
// else an unknown funder is denied too, so that the answer tells nothing of which exist.
func (s *Service) FunderYear(ctx context.Context, actor domain.Actor, funder string, year int32) (*FunderYearSummary, error) {
	f, err := s.repo.GetFunder(ctx, funder)
	if !actor.Manager && (err == nil || errors.Is(err, domain.ErrNotFound)) && !actor.CanReadContributionsOf(f) {
		return nil, fmt.Errorf("funders/%s: its year summary is read by finance officers and the funder's own officers: %w", funder, domain.ErrPermissionDenied)
	}
	if err != nil {
		return nil, fmt.Errorf("funders/%s: %w", funder, err)
	}
	plans, err := s.repo.PlansOfYear(ctx, year)
	if err != nil {
		return nil, err
	}
	sum := &FunderYearSummary{Funder: funder, Year: year}
	for _, p := range plans {
		for _, c := range p.Contributions {
			if c.Funder == funder {
				sum.PlannedCents += c.AmountCents
				sum.PostCount++
			}
		}
	}
	_, contributions, err := s.repo.AgreementsOfYear(ctx, year)
	if err != nil {
		return nil, err
	}
	for _, cs := range contributions {
		for _, c := range cs {
			if c.Funder == funder {
				sum.CommittedCents += c.AmountCents
				sum.CalledCents += c.CalledCents
				sum.PaidCents += c.PaidCents
			}
		}
	}
	sum.Outstanding = sum.CommittedCents - sum.PaidCents
	return sum, nil
}

// YearSummary is the département-wide view of a year.
type YearSummary struct {
	Year                  int32
	PostCount             int
	TotalCostCents        int64
	ByKind                map[domain.FunderKind]int64
	StateEffectiveShareBP int32
}

// Year sums a year's plans: total cost, totals by kind of funder, and the State's effective share.
func (s *Service) Year(ctx context.Context, year int32) (*YearSummary, error) {
	plans, err := s.repo.PlansOfYear(ctx, year)
	if err != nil {
		return nil, err
	}
	sum := &YearSummary{Year: year, ByKind: map[domain.FunderKind]int64{}}
	for _, p := range plans {
		sum.PostCount++
		sum.TotalCostCents += p.AnnualCostCents
		for _, c := range p.Contributions {
			sum.ByKind[c.Kind] += c.AmountCents
		}
	}
	if sum.TotalCostCents > 0 {
		// Rounded half up: (2*state*10000 + total) / (2*total), in integers. state*20000 fits
		// in int64 for any total this service accepts.
		state := sum.ByKind[domain.KindState]
		sum.StateEffectiveShareBP = int32((2*state*domain.FullBP + sum.TotalCostCents) / (2 * sum.TotalCostCents))
	}
	return sum, nil
}

// scdlColumns are the columns of the French open-data schema for subsidies (SCDL
// « subventions »), in its order.
var scdlColumns = []string{
	"nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision", "nomBeneficiaire",
	"idBeneficiaire", "rnaBeneficiaire", "objet", "montant", "nature", "conditionsVersement",
	"datesPeriodeVersement", "idRAE", "notificationUE", "pourcentageSubvention", "dispositifAide",
}

// ExportCSV writes the committed agreements of a year as SCDL « subventions » CSV: one row per
// agreement and funder (the attribuant, idAttribuant its SIRET), the post being the beneficiary
// (idBeneficiaire the SIRET of the body that employs the social worker). A SIRET not given is an
// empty cell, which the schema refuses: the README says to set them.
func (s *Service) ExportCSV(ctx context.Context, year int32) ([]byte, error) {
	agreements, contributions, err := s.repo.AgreementsOfYear(ctx, year)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(agreements, func(a, b *domain.Agreement) int { return strings.Compare(a.ID, b.ID) })
	var buf bytes.Buffer
	// Names, references and purposes come from API callers: a cell that a spreadsheet would run
	// as a formula is neutralised (csvexport).
	w := csvexport.NewWriter(&buf)
	_ = w.Write(scdlColumns)
	funders := map[string]*domain.Funder{}
	posts := map[string]*domain.Post{}
	for _, a := range agreements {
		if !a.State.Committed() {
			continue
		}
		post, ok := posts[a.Post]
		if !ok {
			if post, err = s.repo.GetPost(ctx, a.Post); err != nil {
				return nil, err
			}
			posts[a.Post] = post
		}
		for _, c := range contributions[a.ID] {
			f, ok := funders[c.Funder]
			if !ok {
				if f, err = s.repo.GetFunder(ctx, c.Funder); err != nil {
					return nil, err
				}
				funders[c.Funder] = f
			}
			_ = w.Write([]string{
				f.DisplayName, f.SIRET, string(a.SignDate), a.Reference, post.DisplayName,
				post.SIRET, "", a.Purpose, euros(c.AmountCents), "aide en numéraire", paymentTerms(c),
				paymentPeriod(c), "", "non", ratio(c.AmountCents, a.TotalCents), "ISCG",
			})
		}
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// euros formats cents as the schema's decimal amount in euros, e.g. 1485000 → "14850.00".
func euros(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

// ratio formats part/whole as a decimal fraction with four places, rounded half up.
func ratio(part, whole int64) string {
	if whole <= 0 {
		return ""
	}
	tenThousandths := (2*part*10000 + whole) / (2 * whole)
	return fmt.Sprintf("%d.%04d", tenThousandths/10000, tenThousandths%10000)
}

func paymentTerms(c *domain.Contribution) string {
	if len(c.Payments) > 1 {
		return "échelonné"
	}
	return "unique"
}

func paymentPeriod(c *domain.Contribution) string {
	if len(c.Payments) == 0 {
		return ""
	}
	return string(c.Payments[0].Date) + "/" + string(c.Payments[len(c.Payments)-1].Date)
}

package app

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vif71/vif/platform/csvexport"
	"github.com/vif71/vif/services/funding/internal/domain"
)

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

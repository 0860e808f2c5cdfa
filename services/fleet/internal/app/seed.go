package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

const seedName = "fleet/cessions/v1"

// SeedCession is one cession of the default data set: a retired Caf vehicle handed over to a
// partner, and declared.
type SeedCession struct {
	ID, Beneficiary, Make, Model, VIN, Plate string
	FirstRegistration, HandoverDate          domain.Date
	OdometerKM                               int64
	Officials                                []domain.Official
	Place                                    string
}

// The officials the article names at the handover to the three ISCG.
var articleOfficials = []domain.Official{
	{Name: "Louise Thin-Rouzaud", Title: "directrice de cabinet du Préfet de Saône-et-Loire"},
	{Name: "Cécile Aladame", Title: "directrice de la Caf de Saône-et-Loire"},
	{Name: "Nathalie Bonnot", Title: "déléguée départementale aux droits des femmes et à l'égalité"},
}

// DefaultCessions are the 17 cessions of the source article: 14 vehicles to 11 partners over
// seven years (2017–2023), then three to the ISCG of Charolais-Brionnais, Creusot-Autun and
// Louhannais, handed over in the presence of the officials it names. The article gives neither
// dates, vehicles, places nor which partners received two vehicles: all of that is illustrative.
var DefaultCessions = func() []SeedCession {
	partners := []struct{ org, date string }{
		{"plie-clunisois-maconnais-tournugeois", "2017-03-14"},
		{"regie-quartier-ouest-chalonnais", "2017-10-05"},
		{"regies-quartiers-bassin-minier", "2018-04-19"},
		{"france-horizon-damie-71", "2018-11-22"},
		{"regie-territoire-cucm-nord-creusot", "2019-05-09"},
		{"garage-solidaire-bourgogne", "2019-12-03"},
		{"mission-mobilite-louhans", "2020-06-25"},
		{"mission-locale-charolais", "2020-11-17"},
		{"mission-locale-gueugnon", "2021-04-08"},
		{"centre-culturel-social-cuiseaux", "2021-10-14"},
		{"foyer-rural-autunois-morvan", "2022-03-24"},
		{"regies-quartiers-bassin-minier", "2022-09-29"},
		{"garage-solidaire-bourgogne", "2023-04-13"},
		{"mission-mobilite-louhans", "2023-10-19"},
	}
	models := [][2]string{{"Renault", "Clio"}, {"Peugeot", "208"}, {"Citroën", "C3"}, {"Renault", "Kangoo"}, {"Dacia", "Sandero"}}
	var out []SeedCession
	for i, p := range partners {
		m := models[i%len(models)]
		year := 2009 + i/2
		out = append(out, SeedCession{
			ID: fmt.Sprintf("caf71-%s-%02d", p.date[:4], i+1), Beneficiary: p.org, Make: m[0], Model: m[1],
			VIN: fmt.Sprintf("VF1CAF71SEED%05d", i+1), Plate: fmt.Sprintf("%s-%03d-%s", plateLetters(i), 101+i, "CF"),
			FirstRegistration: domain.Date(fmt.Sprintf("%d-02-01", year)), HandoverDate: domain.Date(p.date),
			OdometerKM: int64(98000 + 4500*i), Place: "Caf de Saône-et-Loire, Mâcon",
			Officials: []domain.Official{{Name: "Cécile Aladame", Title: "directrice de la Caf de Saône-et-Loire"}},
		})
	}
	for i, org := range []string{"iscg-charolais-brionnais", "iscg-creusot-autun", "iscg-louhannais"} {
		out = append(out, SeedCession{
			ID: "caf71-2024-" + org, Beneficiary: org, Make: "Renault", Model: "Clio",
			VIN: fmt.Sprintf("VF1CAF71CESS%05d", i+1), Plate: fmt.Sprintf("GH-%03d-CF", 201+i),
			FirstRegistration: "2017-09-01", HandoverDate: "2024-03-08", OdometerKM: int64(121000 + 3000*i),
			Place: "Préfecture de Saône-et-Loire, Mâcon", Officials: articleOfficials,
		})
	}
	return out
}()

// plateLetters gives illustrative plate prefixes (SIV letters: no I, O or U).
func plateLetters(i int) string {
	const letters = "ABCDEFGHJKLMNPQRSTVWXYZ"
	return string([]byte{letters[i%len(letters)], letters[(i*7+3)%len(letters)]})
}

// Seed records, once per database, the default cessions through the same use cases a fleet
// manager runs: register the retired vehicle, propose, approve, hand over, declare. It needs the
// directory (beneficiaries are checked), so it runs in the background until the directory
// answers; every step is idempotent, so an interrupted seed completes on the next try.
func (s *Service) Seed(ctx context.Context, cessions []SeedCession) (bool, error) {
	done, err := s.repo.Seeded(ctx, seedName)
	if err != nil || done {
		return false, err
	}
	for _, sc := range cessions {
		if err := s.seedOne(ctx, sc); err != nil {
			return false, fmt.Errorf("seed %s: %w", sc.ID, err)
		}
	}
	return true, s.repo.MarkSeeded(ctx, seedName, s.now())
}

func (s *Service) seedOne(ctx context.Context, sc SeedCession) error {
	key := func(step string) context.Context {
		return idempotency.Internal(ctx, "seed", seedName+"/"+sc.ID+"/"+step)
	}
	v := domain.Vehicle{
		ID: sc.ID, VIN: sc.VIN, Plate: sc.Plate, Make: sc.Make, Model: sc.Model,
		FirstRegistrationDate: sc.FirstRegistration, State: domain.Retired, Illustrative: true,
		RetireDate: sc.HandoverDate.AddDays(-45), // illustrative, as the rest: before the proposal
	}
	if _, err := s.RegisterVehicle(key("vehicle"), v, nil); err != nil {
		return err
	}
	c, err := s.ProposeCession(key("cession"), domain.Cession{ID: sc.ID, Vehicle: sc.ID, Beneficiary: sc.Beneficiary, Illustrative: true},
		sc.HandoverDate.AddDays(-30))
	if err != nil {
		return err
	}
	steps := []func() error{
		func() error { _, err := s.ApproveCession(ctx, c.ID, sc.HandoverDate.AddDays(-15), ""); return err },
		func() error {
			_, err := s.HandOverCession(ctx, c.ID, domain.Handover{
				Date: sc.HandoverDate, Place: sc.Place, Officials: sc.Officials, OdometerKM: sc.OdometerKM,
				CertificateReference: "CERFA-15776-" + sc.ID,
			}, "")
			return err
		},
		func() error { _, err := s.DeclareCession(ctx, c.ID, sc.HandoverDate.AddDays(5), ""); return err },
	}
	for _, step := range steps {
		// A step already done by an interrupted seed finds the cession past it: move on.
		if err := step(); err != nil && !errors.Is(err, domain.ErrWrongState) {
			return err
		}
	}
	return nil
}

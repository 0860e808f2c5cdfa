package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/vif71/vif/platform/frid"
	"github.com/vif71/vif/platform/idempotency"
	"github.com/vif71/vif/services/funding/internal/domain"
)

const seedName = "funding/iscg/v1"

// SeedPost is an ISCG post of the default data set, with its first plan.
type SeedPost struct {
	ID, DisplayName, Network, Host string
	SIRET                          string // of the body that employs the social worker: illustrative
	StartDate                      domain.Date
	Year                           int32
	AnnualCostCents                int64
	DepartementShareBP             int32
}

// DefaultPosts are the three ISCG posts the source article names. The article gives neither
// costs nor dates nor the split of the remainder: those are illustrative (a full-time post at
// 45 000 €, the State's 33 %, the Département half of the rest, the EPCIs of the network the
// other half pro rata to population), and so are the SIRETs of the bodies that employ the social
// workers (Luhn-valid, made up: 71000001…). The Creusot-Autun post is attached to the Bassin Minier
// network, which covers Le Creusot (the networks are a partition by EPCI, see the directory).
var DefaultPosts = []SeedPost{
	{ID: "iscg-charolais-brionnais", DisplayName: "ISCG du Charolais-Brionnais", Network: "charolais-brionnais", Host: "gendarmerie-charolles", SIRET: "71000001900012", StartDate: "2021-01-01", Year: 2024, AnnualCostCents: 4500000, DepartementShareBP: 5000},
	{ID: "iscg-creusot-autun", DisplayName: "ISCG du Creusot-Autun", Network: "bassin-minier", Host: "police-le-creusot", SIRET: "71000002700015", StartDate: "2021-01-01", Year: 2024, AnnualCostCents: 4500000, DepartementShareBP: 5000},
	{ID: "iscg-louhannais", DisplayName: "ISCG du Louhannais", Network: "louhannais", Host: "gendarmerie-louhans", SIRET: "71000003500018", StartDate: "2022-01-01", Year: 2024, AnnualCostCents: 4500000, DepartementShareBP: 5000},
}

// Seed creates, once per database, the State and Département funders, a funder for each EPCI of
// the seeded posts' networks, the posts and their plans. It needs the directory; it is run in the
// background until the directory answers. Every create is idempotent (request ids derive from
// the resource), so an interrupted seed completes on the next try.
func (s *Service) Seed(ctx context.Context, posts []SeedPost) (bool, error) {
	done, err := s.repo.Seeded(ctx, seedName)
	if err != nil || done {
		return false, err
	}
	// The SIRETs (the SCDL export's idAttribuant) are illustrative: Luhn-valid and made up for the
	// State and the Département; for an EPCI, its SIREN from the referential with a made-up
	// establishment number (seatSIRET). No source the repository pins gives them.
	base := []domain.Funder{
		{ID: "etat", DisplayName: "État — Préfecture de Saône-et-Loire (FIPD)", Kind: domain.KindState, Organisation: "prefecture-71", SIRET: "17710000500012", Illustrative: true},
		{ID: "departement-71", DisplayName: "Département de Saône-et-Loire", Kind: domain.KindDepartement, Organisation: "departement-71", SIRET: "22710000500015", Illustrative: true},
	}
	for _, f := range base {
		if _, err := s.seedFunder(ctx, f); err != nil {
			return false, err
		}
	}
	for _, sp := range posts {
		sirens, err := s.dir.NetworkEPCIs(ctx, sp.Network)
		if err != nil {
			return false, fmt.Errorf("seed %s: network %s: %w", sp.ID, sp.Network, err)
		}
		for _, siren := range sirens {
			info, err := s.dir.EPCI(ctx, siren)
			if err != nil {
				return false, fmt.Errorf("seed: epcis/%s: %w", siren, err)
			}
			f := domain.Funder{ID: "epci-" + siren, DisplayName: info.Name, Kind: domain.KindEPCI, EPCI: siren, SIRET: seatSIRET(siren), Illustrative: true}
			if _, err := s.seedFunder(ctx, f); err != nil {
				return false, err
			}
		}
		post := domain.Post{
			ID: sp.ID, DisplayName: sp.DisplayName, Network: sp.Network, HostOrganisation: sp.Host,
			FTEThousandths: 1000, StartDate: sp.StartDate, SIRET: sp.SIRET, Illustrative: true,
		}
		if _, err := s.CreatePost(idempotency.Internal(ctx, "seed", seedName+"/post/"+sp.ID), post); err != nil {
			return false, fmt.Errorf("seed: %w", err)
		}
		plan := domain.Plan{
			Post: sp.ID, Year: sp.Year, AnnualCostCents: sp.AnnualCostCents,
			StateShareBP: domain.DefaultStateShareBP, StateFunder: "etat",
			Rule: domain.RulePopulation, DepartementFunder: "departement-71", DepartementShareBP: sp.DepartementShareBP,
			Illustrative: true,
		}
		if _, err := s.CreatePlan(idempotency.Internal(ctx, "seed", fmt.Sprintf("%s/plan/%s/%d", seedName, sp.ID, sp.Year)), plan); err != nil {
			return false, fmt.Errorf("seed: %w", err)
		}
	}
	return true, s.repo.MarkSeeded(ctx, seedName, s.now())
}

// seatSIRET gives an illustrative SIRET of the body of SIREN siren: establishment number 0001 and
// the Luhn key that makes the 14 digits valid.
func seatSIRET(siren string) string {
	for key := '0'; key <= '9'; key++ {
		if s := siren + "0001" + string(key); frid.ValidSIRET(s) {
			return s
		}
	}
	return ""
}

// seedFunder creates f unless a funder with its id exists (an EPCI shared by two networks).
func (s *Service) seedFunder(ctx context.Context, f domain.Funder) (*domain.Funder, error) {
	if existing, err := s.repo.GetFunder(ctx, f.ID); err == nil {
		return existing, nil
	} else if !errors.Is(err, domain.ErrNotFound) {
		return nil, err
	}
	created, err := s.CreateFunder(idempotency.Internal(ctx, "seed", seedName+"/funder/"+f.ID), f)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	return created, nil
}

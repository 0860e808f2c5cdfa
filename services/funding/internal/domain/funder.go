package domain

import (
	"fmt"
	"strings"

	"github.com/vif71/vif/platform/frid"
	"github.com/vif71/vif/platform/validation"
)

// Validate checks and tidies a funder's own fields: a name, a kind, a valid SIRET when given, an
// EPCI (a valid SIREN) for an EPCI funder only, a commune for a commune funder only. What the
// directory knows of them is the app's to ask.
func (f *Funder) Validate() error {
	var errs validation.Error
	f.DisplayName = strings.TrimSpace(f.DisplayName)
	errs.Require("funder.display_name", f.DisplayName, "is required")
	if !f.Kind.Valid() {
		errs.Add("funder.kind", "is required: one of the FUNDER_KIND_ values other than UNSPECIFIED")
	}
	if f.SIRET != "" && !frid.ValidSIRET(f.SIRET) {
		errs.Add("funder.siret", fmt.Sprintf("%q is not a valid SIRET: 14 digits with a valid Luhn key", f.SIRET))
	}
	switch {
	case f.Kind == KindEPCI && f.EPCI == "":
		errs.Add("funder.epci", "is required for an EPCI funder: epcis/{siren}")
	case f.Kind != KindEPCI && f.EPCI != "":
		errs.Add("funder.epci", "is only for EPCI funders")
	case f.EPCI != "" && !frid.ValidSIREN(f.EPCI):
		errs.Add("funder.epci", fmt.Sprintf("%q is not a valid SIREN", f.EPCI))
	}
	switch {
	case f.Kind == KindCommune && f.Commune == "":
		errs.Add("funder.commune", "is required for a commune funder: communes/{insee_code}")
	case f.Kind != KindCommune && f.Commune != "":
		errs.Add("funder.commune", "is only for commune funders")
	}
	return errs.Err()
}

// Apply changes the fields of FunderFields that mask names to their value in patch.
func (f *Funder) Apply(patch *Funder, mask []string) {
	for _, field := range mask {
		switch field {
		case "display_name":
			f.DisplayName = patch.DisplayName
		case "organisation":
			f.Organisation = patch.Organisation
		case "siret":
			f.SIRET = patch.SIRET
		}
	}
}

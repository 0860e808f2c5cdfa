package domain

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vif71/vif/platform/frid"
	"github.com/vif71/vif/platform/validation"
)

// HostKinds are the directory organisation kinds that may host an ISCG post.
var HostKinds = []string{"POLICE", "GENDARMERIE"}

// MayHost reports whether an organisation of kind may host an ISCG post.
func MayHost(kind string) bool { return slices.Contains(HostKinds, kind) }

// Validate checks and tidies a post's own fields: a name, a network and a host, a time between
// 1 and 10000 thousandths, real start and end days in order, a valid SIRET when given.
func (p *Post) Validate() error {
	var errs validation.Error
	p.DisplayName = strings.TrimSpace(p.DisplayName)
	errs.Require("post.display_name", p.DisplayName, "is required")
	errs.Require("post.network", p.Network, "is required: networks/{network}")
	errs.Require("post.host_organisation", p.HostOrganisation, "is required: the police or gendarmerie organisation hosting the post")
	if p.FTEThousandths < 1 || p.FTEThousandths > 10000 {
		errs.Add("post.fte_thousandths", "must be between 1 and 10000 (1000 is one full-time post)")
	}
	if !p.StartDate.Valid() {
		errs.Add("post.start_date", "is required: a valid calendar date")
	}
	if p.EndDate != "" && !p.EndDate.Valid() {
		errs.Add("post.end_date", "is not a valid calendar date")
	}
	if p.EndDate != "" && p.StartDate.Valid() && p.EndDate < p.StartDate {
		errs.Add("post.end_date", "is before the start date")
	}
	if p.SIRET != "" && !frid.ValidSIRET(p.SIRET) {
		errs.Add("post.siret", fmt.Sprintf("%q is not a valid SIRET: 14 digits with a valid Luhn key", p.SIRET))
	}
	return errs.Err()
}

// Apply changes the fields of PostFields that mask names to their value in patch.
func (p *Post) Apply(patch *Post, mask []string) {
	for _, f := range mask {
		switch f {
		case "display_name":
			p.DisplayName = patch.DisplayName
		case "network":
			p.Network = patch.Network
		case "host_organisation":
			p.HostOrganisation = patch.HostOrganisation
		case "fte_thousandths":
			p.FTEThousandths = patch.FTEThousandths
		case "start_date":
			p.StartDate = patch.StartDate
		case "end_date":
			p.EndDate = patch.EndDate
		case "siret":
			p.SIRET = patch.SIRET
		}
	}
}

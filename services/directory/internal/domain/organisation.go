package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vif71/vif/platform/frid"
	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/validation"
)

// OrganisationKind says what an organisation is. The values are the proto enum's names without
// their ORGANISATION_KIND_ prefix.
type OrganisationKind string

// OrganisationKinds lists every kind, in the proto enum's order.
var OrganisationKinds = []OrganisationKind{
	"POLICE", "GENDARMERIE", "ISCG", "PREFECTURE", "DEPARTEMENT", "CAF", "COMMUNE", "EPCI",
	"JUSTICE", "HEALTH", "EDUCATION", "ASSOCIATION", "PLIE", "REGIE", "MISSION_LOCALE",
	"GARAGE_SOLIDAIRE", "CENTRE_SOCIAL", "FOYER_RURAL", "STATE_SERVICE", "OTHER",
}

// Valid reports whether k is a known kind.
func (k OrganisationKind) Valid() bool { return slices.Contains(OrganisationKinds, k) }

// Organisation is an institution or association known to the directory.
type Organisation struct {
	ID           string
	DisplayName  string
	Kind         OrganisationKind
	SIRET        string // empty when unknown
	Commune      string // INSEE code, empty when unknown
	Address      string
	Illustrative bool
	resource.Meta
	// DeleteTime is when the organisation was soft-deleted; zero while it is not. Other services
	// refer to organisations, so a deleted one is kept (never purged) and still resolves.
	DeleteTime time.Time
}

// Name is the organisation's resource name.
func (o *Organisation) Name() string { return "organisations/" + o.ID }

// Deleted reports whether the organisation is soft-deleted.
func (o *Organisation) Deleted() bool { return !o.DeleteTime.IsZero() }

// Delete soft-deletes the organisation at now. An organisation professionals still belong to
// (members) is not deleted, nor one deleted already.
func (o *Organisation) Delete(now time.Time, members int) error {
	if o.Deleted() {
		return fmt.Errorf("%s: %w", o.Name(), ErrOrganisationDeleted)
	}
	if members > 0 {
		return fmt.Errorf("%d members: %w", members, ErrHasMembers)
	}
	o.DeleteTime, o.UpdateTime = now, now
	o.Revision++
	return nil
}

// Undelete restores a soft-deleted organisation at now.
func (o *Organisation) Undelete(now time.Time) error {
	if !o.Deleted() {
		return fmt.Errorf("%s: %w", o.Name(), ErrOrganisationNotDeleted)
	}
	o.DeleteTime, o.UpdateTime = time.Time{}, now
	o.Revision++
	return nil
}

// CheckReferable says whether a new record may refer to the organisation: not once deleted.
func (o *Organisation) CheckReferable() error {
	if o.Deleted() {
		return fmt.Errorf("%s was deleted on %s: %w", o.Name(), o.DeleteTime.Format(time.DateOnly), ErrOrganisationDeleted)
	}
	return nil
}

// Etag is the organisation's current etag.
func (o *Organisation) Etag() string { return o.Meta.Etag(o.Name()) }

// OrganisationFields are the fields an update may change, by their API names.
var OrganisationFields = []string{"display_name", "kind", "siret", "commune", "address"}

// Validate checks the organisation's rules against the referential; field names are relative to
// the organisation.
func (o *Organisation) Validate(ref Referential) error {
	var errs validation.Error
	o.DisplayName = strings.TrimSpace(o.DisplayName)
	switch {
	case o.DisplayName == "":
		errs.Add("display_name", "is required")
	case len(o.DisplayName) > 200:
		errs.Add("display_name", "must be at most 200 bytes")
	}
	if !o.Kind.Valid() {
		errs.Add("kind", "is required: one of the ORGANISATION_KIND_ values other than UNSPECIFIED")
	}
	if o.SIRET != "" && !frid.ValidSIRET(o.SIRET) {
		errs.Add("siret", fmt.Sprintf("%q is not a valid SIRET: 14 digits with a valid Luhn key", o.SIRET))
	}
	if o.Commune != "" && !ref.HasCommune(o.Commune) {
		errs.Add("commune", fmt.Sprintf("communes/%s is not a commune of the département's referential", o.Commune))
	}
	return errs.Err()
}

// Apply copies the fields named in mask from patch into o.
func (o *Organisation) Apply(patch *Organisation, mask []string) {
	for _, f := range mask {
		switch f {
		case "display_name":
			o.DisplayName = patch.DisplayName
		case "kind":
			o.Kind = patch.Kind
		case "siret":
			o.SIRET = patch.SIRET
		case "commune":
			o.Commune = patch.Commune
		case "address":
			o.Address = patch.Address
		}
	}
}

// OrganisationQuery selects organisations for a list; empty fields do not filter.
type OrganisationQuery struct {
	Kind    OrganisationKind
	Commune string
	SIRET   string
	// ShowDeleted includes soft-deleted organisations; they are left out otherwise.
	ShowDeleted bool
	After       string // resume after this id
	Limit       int
}

package domain

import (
	"slices"
	"strings"

	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/platform/validation"
)

// Domain is a domain of competence. The values are the proto enum's names without their DOMAIN_
// prefix.
type Domain string

// Domains lists every domain, in the proto enum's order.
var Domains = []Domain{
	"SECURITY", "JUSTICE", "HEALTH", "EDUCATION", "SOCIAL", "HOUSING", "INSERTION",
	"CHILD_PROTECTION", "RIGHTS",
}

// Valid reports whether d is a known domain.
func (d Domain) Valid() bool { return slices.Contains(Domains, d) }

// Member is a professional taking part in a network on behalf of an organisation.
type Member struct {
	Network      string // network id
	ID           string
	Organisation string // organisation id
	DisplayName  string
	Role         string
	Domains      []Domain // sorted, unique
	Email        string   // contact data: for the network side only (Actor.SeesContacts)
	Phone        string   // contact data: for the network side only (Actor.SeesContacts)
	resource.Meta
}

// ShownTo returns m as a may read it: without its contact data unless a sees contacts.
func (m *Member) ShownTo(a Actor) *Member {
	if a.SeesContacts() {
		return m
	}
	out := *m
	out.Email, out.Phone = "", ""
	return &out
}

// Name is the member's resource name.
func (m *Member) Name() string { return "networks/" + m.Network + "/members/" + m.ID }

// Etag is the member's current etag.
func (m *Member) Etag() string { return m.Meta.Etag(m.Name()) }

// WithoutContact returns a copy of m without its contact details.
func (m *Member) WithoutContact() *Member {
	c := *m
	c.Email, c.Phone = "", ""
	return &c
}

// MemberFields are the fields an update may change, by their API names.
var MemberFields = []string{"organisation", "display_name", "role", "domains", "email", "phone"}

// Validate checks the member's own rules; that its organisation exists is checked by the use
// case, which reads it in the same transaction.
func (m *Member) Validate() error {
	var errs validation.Error
	m.DisplayName = strings.TrimSpace(m.DisplayName)
	switch {
	case m.DisplayName == "":
		errs.Add("display_name", "is required")
	case len(m.DisplayName) > 200:
		errs.Add("display_name", "must be at most 200 bytes")
	}
	errs.Require("organisation", m.Organisation, "is required: organisations/{organisation}")
	if len(m.Domains) == 0 {
		errs.Add("domains", "at least one domain of competence is required")
	}
	for _, d := range m.Domains {
		if !d.Valid() {
			errs.Add("domains", "unknown domain "+string(d))
		}
	}
	slices.Sort(m.Domains)
	if len(slices.Compact(slices.Clone(m.Domains))) != len(m.Domains) {
		errs.Add("domains", "must not repeat a domain")
	}
	return errs.Err()
}

// Apply copies the fields named in mask from patch into m.
func (m *Member) Apply(patch *Member, mask []string) {
	for _, f := range mask {
		switch f {
		case "organisation":
			m.Organisation = patch.Organisation
		case "display_name":
			m.DisplayName = patch.DisplayName
		case "role":
			m.Role = patch.Role
		case "domains":
			m.Domains = slices.Clone(patch.Domains)
		case "email":
			m.Email = patch.Email
		case "phone":
			m.Phone = patch.Phone
		}
	}
}

// MemberQuery selects members for a list; empty fields do not filter.
type MemberQuery struct {
	Network      string // empty: every network
	Organisation string // organisation id
	Domain       Domain
	After        string // resume after this resource name
	Limit        int
}

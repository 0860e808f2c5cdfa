package domain

// Actor is who makes a request, as far as the funding rules care.
type Actor struct {
	Subject string
	// Manager is true for the roles that see and change everything: admin and finance.
	Manager bool
	// Organisation is the directory organisation a funder's officer acts for (role funder).
	Organisation string
}

// CanReadContributionsOf reports whether the actor may see the contributions of f: managers see
// all, a funder's officers see their own funder's.
func (a Actor) CanReadContributionsOf(f *Funder) bool {
	return a.Manager || (a.Organisation != "" && f != nil && f.Organisation == a.Organisation)
}

package domain

// Actor is who makes a request, as far as the directory's rules care.
type Actor struct {
	Subject string
	Admin   bool
	// Network is the network a coordinator coordinates; empty for other roles.
	Network string
	// NetworkSide is true for the networks' own people (admins, coordinators, readers), who may
	// reach professionals; the Caf's, the funders' and the beneficiaries' officers may not.
	NetworkSide bool
}

// SeesContacts reports whether the actor may read professionals' e-mail and phone. Others see
// who a professional is (name, role, domains, organisation), not how to reach them.
func (a Actor) SeesContacts() bool { return a.NetworkSide }

// CanEditNetwork reports whether the actor may change the members of network.
func (a Actor) CanEditNetwork(network string) bool {
	return a.Admin || (a.Network != "" && a.Network == network)
}

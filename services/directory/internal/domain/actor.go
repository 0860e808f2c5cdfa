package domain

// Actor is who makes a request, as far as the directory's rules care.
type Actor struct {
	Subject string
	Admin   bool
	// Network is the network a coordinator coordinates; empty for other roles.
	Network string
}

// CanEditNetwork reports whether the actor may change the members of network.
func (a Actor) CanEditNetwork(network string) bool {
	return a.Admin || (a.Network != "" && a.Network == network)
}

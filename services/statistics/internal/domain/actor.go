package domain

// Actor is who makes a request, as far as the statistics rules care.
type Actor struct {
	Subject string
	// Admin sees every raw count and submits for any network.
	Admin bool
	// Network is a coordinator's network: they see its raw counts and submit its reports.
	Network string
}

// SeesRaw reports whether the actor may see network's raw counts.
func (a Actor) SeesRaw(network string) bool {
	return a.Admin || (a.Network != "" && a.Network == network)
}

// SeesAllRaw reports whether the actor may see every raw count.
func (a Actor) SeesAllRaw() bool { return a.Admin }

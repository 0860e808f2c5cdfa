package domain

// Actor is who makes a request, as far as the fleet's rules care.
type Actor struct {
	Subject string
	// Organisation is the organisation a beneficiary's staff act for (role beneficiary); they read
	// only that organisation's cessions.
	Organisation string
}

// CanRead reports whether the actor may read c.
func (a Actor) CanRead(c *Cession) bool {
	return a.Organisation == "" || a.Organisation == c.Beneficiary
}

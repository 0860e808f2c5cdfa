package auth

import "context"

// Caller turns the claims of the call's signed-in caller into what a service's rules know of
// them (its domain's Actor), or gives the zero T for a call without claims (an anonymous call of
// a public method).
func Caller[T any](ctx context.Context, of func(*Claims) T) T {
	c, ok := FromContext(ctx)
	if !ok {
		var zero T
		return zero
	}
	return of(c)
}

// ScopeIf returns scope when the claims' role is role, "" otherwise: a coordinator's network or
// a beneficiary's or funder's organisation, which bounds what that role may see.
func (c *Claims) ScopeIf(role Role, scope string) string {
	if c.Role != role {
		return ""
	}
	return scope
}

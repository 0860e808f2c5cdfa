package auth

import (
	"context"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// TestCaller: an anonymous call is the zero value; a signed-in one is what of makes of its claims,
// and a scope reaches only the role that carries it.
func TestCaller(t *testing.T) {
	type actor struct{ Subject, Network string }
	of := func(c *Claims) actor {
		return actor{Subject: c.Subject, Network: c.ScopeIf(RoleCoordinator, c.Network)}
	}
	if got := Caller(context.Background(), of); got != (actor{}) {
		t.Errorf("anonymous Caller = %+v; want the zero actor", got)
	}
	coord := NewContext(context.Background(), &Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "c@x"}, Role: RoleCoordinator, Network: "chalonnais"})
	if got := Caller(coord, of); got != (actor{"c@x", "chalonnais"}) {
		t.Errorf("coordinator Caller = %+v", got)
	}
	reader := NewContext(context.Background(), &Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "r@x"}, Role: RoleReader, Network: "chalonnais"})
	if got := Caller(reader, of); got != (actor{"r@x", ""}) {
		t.Errorf("reader Caller = %+v; want no network scope", got)
	}
}

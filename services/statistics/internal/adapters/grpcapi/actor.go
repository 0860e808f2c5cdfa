package grpcapi

import (
	"context"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// actorFrom is who calls: an anonymous caller of a public method is the zero Actor, who sees
// protected figures only.
func actorFrom(ctx context.Context) domain.Actor {
	return auth.Caller(ctx, func(c *auth.Claims) domain.Actor {
		return domain.Actor{Subject: c.Subject, Admin: c.Role == auth.RoleAdmin, Network: c.ScopeIf(auth.RoleCoordinator, c.Network)}
	})
}

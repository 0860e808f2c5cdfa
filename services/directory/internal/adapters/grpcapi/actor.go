package grpcapi

import (
	"context"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/services/directory/internal/domain"
)

// actorFrom is who calls, as the domain sees them: the zero Actor when no one signed in.
func actorFrom(ctx context.Context) domain.Actor {
	return auth.Caller(ctx, func(c *auth.Claims) domain.Actor {
		return domain.Actor{Subject: c.Subject, Admin: c.Role == auth.RoleAdmin, Network: c.ScopeIf(auth.RoleCoordinator, c.Network),
			NetworkSide: c.Role == auth.RoleAdmin || c.Role == auth.RoleCoordinator || c.Role == auth.RoleReader}
	})
}

// Package directoryclient asks the directory service, over gRPC, what kind of organisation a
// beneficiary is: the shared client (platform/directoryclient) with the fleet's errors. Every
// answer is the directory's, ErrNotFound, ErrOrganisationDeleted or ErrDirectoryUnavailable: a
// cession is never proposed on a guess.
package directoryclient

import (
	"google.golang.org/grpc"

	"github.com/vif71/vif/platform/directoryclient"
	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

// New returns the fleet's domain.Directory over conn.
func New(conn grpc.ClientConnInterface) domain.Directory {
	return directoryclient.New(conn, directoryclient.Errors{
		NotFound: domain.ErrNotFound, Deleted: resource.ErrOrganisationDeleted, Unavailable: resource.ErrDirectoryUnavailable,
	})
}

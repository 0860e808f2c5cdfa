// Package directoryclient answers the funding service's questions to the directory over gRPC:
// the shared client (platform/directoryclient) with the funding service's errors and types.
// Every answer is either what the directory says, ErrNotFound, ErrOrganisationDeleted or
// ErrDirectoryUnavailable: a write that needs the directory stops rather than guessing.
package directoryclient

import (
	"context"

	"google.golang.org/grpc"

	"github.com/vif71/vif/platform/directoryclient"
	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// Client implements domain.Directory.
type Client struct {
	*directoryclient.Client
}

var _ domain.Directory = Client{}

// New returns a Client over conn.
func New(conn grpc.ClientConnInterface) Client {
	return Client{directoryclient.New(conn, directoryclient.Errors{
		NotFound: domain.ErrNotFound, Deleted: resource.ErrOrganisationDeleted, Unavailable: resource.ErrDirectoryUnavailable,
	})}
}

// EPCI implements domain.Directory.
func (c Client) EPCI(ctx context.Context, siren string) (domain.EPCIInfo, error) {
	name, population, err := c.Client.EPCI(ctx, siren)
	return domain.EPCIInfo{Name: name, Population: population}, err
}

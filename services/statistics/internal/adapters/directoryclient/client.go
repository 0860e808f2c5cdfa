// Package directoryclient answers the statistics service's questions to the directory over
// gRPC: which networks exist, and the population of each. It is the shared client
// (platform/directoryclient) with the statistics service's errors and types: every answer is
// either what the directory says or ErrDirectoryUnavailable.
package directoryclient

import (
	"context"

	"google.golang.org/grpc"

	"github.com/vif71/vif/platform/directoryclient"
	"github.com/vif71/vif/platform/resource"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// Client implements domain.Directory.
type Client struct {
	dir *directoryclient.Client
}

var _ domain.Directory = Client{}

// New returns a Client over conn.
func New(conn grpc.ClientConnInterface) Client {
	return Client{directoryclient.New(conn, directoryclient.Errors{
		NotFound: domain.ErrNotFound, Unavailable: resource.ErrDirectoryUnavailable,
	})}
}

// Networks implements domain.Directory: every page of ListNetworks.
func (c Client) Networks(ctx context.Context) ([]domain.Network, error) {
	list, err := c.dir.Networks(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Network, len(list))
	for i, n := range list {
		out[i] = domain.Network(n)
	}
	return out, nil
}

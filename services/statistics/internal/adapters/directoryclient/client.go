// Package directoryclient answers the statistics service's questions to the directory over
// gRPC: which networks exist, and the population of each. Every answer is either what the
// directory says or ErrDirectoryUnavailable.
package directoryclient

import (
	"context"
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"

	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
	"github.com/vif71/vif/services/statistics/internal/domain"
)

// Timeout bounds each call, so a hung directory turns into Unavailable rather than a hung query.
const Timeout = 3 * time.Second

// Client implements domain.Directory.
type Client struct {
	dir directoryv1.DirectoryServiceClient
}

var _ domain.Directory = (*Client)(nil)

// New returns a Client over conn. ListNetworks is public, so it sends no token.
func New(conn grpc.ClientConnInterface) *Client {
	return &Client{dir: directoryv1.NewDirectoryServiceClient(conn)}
}

// Networks implements domain.Directory: every page of ListNetworks.
func (c *Client) Networks(ctx context.Context) ([]domain.Network, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	var out []domain.Network
	token := ""
	for {
		resp, err := c.dir.ListNetworks(ctx, &directoryv1.ListNetworksRequest{PageSize: 1000, PageToken: token})
		if err != nil {
			return nil, fmt.Errorf("%w (networks: %v)", domain.ErrDirectoryUnavailable, status.Convert(err).Message())
		}
		for _, n := range resp.GetNetworks() {
			out = append(out, domain.Network{ID: strings.TrimPrefix(n.GetName(), "networks/"), Population: n.GetPopulation()})
		}
		if token = resp.GetNextPageToken(); token == "" {
			return out, nil
		}
	}
}

// Package directoryclient asks the directory service, over gRPC, what kind of organisation a
// beneficiary is. Every answer is the directory's, ErrNotFound, or ErrDirectoryUnavailable: a
// cession is never proposed on a guess.
package directoryclient

import (
	"context"
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
	"github.com/vif71/vif/services/fleet/internal/domain"
)

// Timeout bounds each call, so a hung directory turns into Unavailable rather than a hung write.
const Timeout = 3 * time.Second

// Client implements domain.Directory.
type Client struct {
	dir directoryv1.DirectoryServiceClient
}

var _ domain.Directory = (*Client)(nil)

// New returns a Client over conn (the methods it calls are public: it sends no token).
func New(conn grpc.ClientConnInterface) *Client {
	return &Client{dir: directoryv1.NewDirectoryServiceClient(conn)}
}

// OrganisationKind implements domain.Directory.
func (c *Client) OrganisationKind(ctx context.Context, organisation string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	o, err := c.dir.GetOrganisation(ctx, &directoryv1.GetOrganisationRequest{Name: "organisations/" + organisation})
	switch status.Code(err) {
	case codes.OK:
		if o.GetDeleteTime() != nil {
			return "", fmt.Errorf("organisations/%s was deleted on %s: %w", organisation, o.GetDeleteTime().AsTime().Format(time.DateOnly), domain.ErrOrganisationDeleted)
		}
		return strings.TrimPrefix(o.GetKind().String(), "ORGANISATION_KIND_"), nil
	case codes.NotFound, codes.InvalidArgument:
		return "", fmt.Errorf("organisations/%s: %w", organisation, domain.ErrNotFound)
	default:
		return "", fmt.Errorf("%w (organisations/%s: %v)", domain.ErrDirectoryUnavailable, organisation, status.Convert(err).Message())
	}
}

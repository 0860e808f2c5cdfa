// Package directoryclient answers the funding service's questions to the directory over gRPC.
// Every answer is either what the directory says, ErrNotFound, or ErrDirectoryUnavailable: a
// write that needs the directory stops rather than guessing.
package directoryclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
	"github.com/vif71/vif/services/funding/internal/domain"
)

// Timeout bounds each call, so a hung directory turns into Unavailable rather than a hung write.
const Timeout = 3 * time.Second

// Client implements domain.Directory.
type Client struct {
	dir directoryv1.DirectoryServiceClient
}

var _ domain.Directory = (*Client)(nil)

// New returns a Client over conn. The methods it calls are public, so it sends no token.
func New(conn grpc.ClientConnInterface) *Client {
	return &Client{dir: directoryv1.NewDirectoryServiceClient(conn)}
}

// NetworkEPCIs implements domain.Directory.
func (c *Client) NetworkEPCIs(ctx context.Context, network string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	n, err := c.dir.GetNetwork(ctx, &directoryv1.GetNetworkRequest{Name: "networks/" + network})
	if err != nil {
		return nil, translate(err, "networks/"+network)
	}
	sirens := make([]string, len(n.GetEpcis()))
	for i, e := range n.GetEpcis() {
		sirens[i] = strings.TrimPrefix(e, "epcis/")
	}
	return sirens, nil
}

// OrganisationKind implements domain.Directory.
func (c *Client) OrganisationKind(ctx context.Context, organisation string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	o, err := c.dir.GetOrganisation(ctx, &directoryv1.GetOrganisationRequest{Name: "organisations/" + organisation})
	if err != nil {
		return "", translate(err, "organisations/"+organisation)
	}
	if o.GetDeleteTime() != nil {
		return "", fmt.Errorf("organisations/%s was deleted on %s: %w", organisation, o.GetDeleteTime().AsTime().Format(time.DateOnly), domain.ErrOrganisationDeleted)
	}
	return strings.TrimPrefix(o.GetKind().String(), "ORGANISATION_KIND_"), nil
}

// EPCI implements domain.Directory.
func (c *Client) EPCI(ctx context.Context, siren string) (domain.EPCIInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	e, err := c.dir.GetEpci(ctx, &directoryv1.GetEpciRequest{Name: "epcis/" + siren})
	if err != nil {
		return domain.EPCIInfo{}, translate(err, "epcis/"+siren)
	}
	return domain.EPCIInfo{Name: e.GetDisplayName(), Population: e.GetPopulation()}, nil
}

// CommuneExists implements domain.Directory.
func (c *Client) CommuneExists(ctx context.Context, code string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	_, err := c.dir.GetCommune(ctx, &directoryv1.GetCommuneRequest{Name: "communes/" + code})
	if err == nil {
		return true, nil
	}
	if err := translate(err, "communes/"+code); !errors.Is(err, domain.ErrNotFound) {
		return false, err
	}
	return false, nil
}

// translate maps a directory error: NotFound (and InvalidArgument, a name the directory cannot
// even parse) to ErrNotFound; anything else to ErrDirectoryUnavailable, keeping the cause.
func translate(err error, name string) error {
	switch status.Code(err) {
	case codes.NotFound, codes.InvalidArgument:
		return fmt.Errorf("%s: %w", name, domain.ErrNotFound)
	default:
		return fmt.Errorf("%w (%s: %v)", domain.ErrDirectoryUnavailable, name, status.Convert(err).Message())
	}
}

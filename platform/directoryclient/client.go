// Package directoryclient is the one client of the directory service that the other services
// share (fleet, funding, statistics): it asks over gRPC what kind an organisation is, which EPCIs
// a network covers, an EPCI's name and population, whether a commune exists, and every network
// with its population. Every answer is the directory's, or an error that wraps the calling
// domain's own sentinels (Errors): not found, deleted, or the directory unavailable. A write that
// needs the directory stops rather than guessing. The methods it calls are public, so it sends no
// token.
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
)

// Timeout bounds each call, so a hung directory turns into Unavailable rather than a hung write.
const Timeout = 3 * time.Second

// Errors are the calling domain's sentinels, which the client's errors wrap.
type Errors struct {
	// NotFound: the directory has no such resource (or cannot even parse its name).
	NotFound error
	// Deleted: the organisation exists but was deleted.
	Deleted error
	// Unavailable: the directory did not answer, or answered with anything else.
	Unavailable error
}

// Client asks the directory.
type Client struct {
	dir  directoryv1.DirectoryServiceClient
	errs Errors
}

// New returns a Client over conn whose errors wrap errs.
func New(conn grpc.ClientConnInterface, errs Errors) *Client {
	return &Client{dir: directoryv1.NewDirectoryServiceClient(conn), errs: errs}
}

// OrganisationKind returns the kind of organisations/<organisation> without its enum prefix
// ("ISCG", "SIAE"…); a deleted organisation is Errors.Deleted.
func (c *Client) OrganisationKind(ctx context.Context, organisation string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	o, err := c.dir.GetOrganisation(ctx, &directoryv1.GetOrganisationRequest{Name: "organisations/" + organisation})
	if err != nil {
		return "", c.translate(err, "organisations/"+organisation)
	}
	if o.GetDeleteTime() != nil {
		return "", fmt.Errorf("organisations/%s was deleted on %s: %w", organisation, o.GetDeleteTime().AsTime().Format(time.DateOnly), c.errs.Deleted)
	}
	return strings.TrimPrefix(o.GetKind().String(), "ORGANISATION_KIND_"), nil
}

// NetworkEPCIs returns the SIRENs of the EPCIs networks/<network> covers.
func (c *Client) NetworkEPCIs(ctx context.Context, network string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	n, err := c.dir.GetNetwork(ctx, &directoryv1.GetNetworkRequest{Name: "networks/" + network})
	if err != nil {
		return nil, c.translate(err, "networks/"+network)
	}
	sirens := make([]string, len(n.GetEpcis()))
	for i, e := range n.GetEpcis() {
		sirens[i] = strings.TrimPrefix(e, "epcis/")
	}
	return sirens, nil
}

// EPCI returns the name and population of epcis/<siren>.
func (c *Client) EPCI(ctx context.Context, siren string) (name string, population int64, err error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	e, err := c.dir.GetEpci(ctx, &directoryv1.GetEpciRequest{Name: "epcis/" + siren})
	if err != nil {
		return "", 0, c.translate(err, "epcis/"+siren)
	}
	return e.GetDisplayName(), e.GetPopulation(), nil
}

// CommuneExists says whether communes/<code> exists.
func (c *Client) CommuneExists(ctx context.Context, code string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	_, err := c.dir.GetCommune(ctx, &directoryv1.GetCommuneRequest{Name: "communes/" + code})
	if err == nil {
		return true, nil
	}
	if err := c.translate(err, "communes/"+code); !errors.Is(err, c.errs.NotFound) {
		return false, err
	}
	return false, nil
}

// Network is a network's id and population, as Networks lists them.
type Network struct {
	ID         string
	Population int64
}

// Networks returns every network, reading every page of ListNetworks; any failure is
// Errors.Unavailable.
func (c *Client) Networks(ctx context.Context) ([]Network, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	var out []Network
	token := ""
	for {
		resp, err := c.dir.ListNetworks(ctx, &directoryv1.ListNetworksRequest{PageSize: 1000, PageToken: token})
		if err != nil {
			return nil, fmt.Errorf("%w (networks: %v)", c.errs.Unavailable, status.Convert(err).Message())
		}
		for _, n := range resp.GetNetworks() {
			out = append(out, Network{ID: strings.TrimPrefix(n.GetName(), "networks/"), Population: n.GetPopulation()})
		}
		if token = resp.GetNextPageToken(); token == "" {
			return out, nil
		}
	}
}

// translate maps a directory error: NotFound (and InvalidArgument, a name the directory cannot
// even parse) to Errors.NotFound; anything else to Errors.Unavailable, keeping the cause.
func (c *Client) translate(err error, name string) error {
	switch status.Code(err) {
	case codes.NotFound, codes.InvalidArgument:
		return fmt.Errorf("%s: %w", name, c.errs.NotFound)
	default:
		return fmt.Errorf("%w (%s: %v)", c.errs.Unavailable, name, status.Convert(err).Message())
	}
}

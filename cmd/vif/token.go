package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/config"
	"github.com/vif71/vif/platform/storage"
	"github.com/vif71/vif/services/directory"
)

// token prints a bearer token signed with the instance's key, so a person can call the API of
// the embedded default without an identity provider.
func token(args []string, getenv func(string) string, stdout io.Writer) error {
	cfg := config.New("vif token", getenv)
	dataDir := cfg.String("data-dir", "VIF_DATA_DIR", ".vif", "data directory of the instance (holds auth.key)")
	role := cfg.String("role", "VIF_TOKEN_ROLE", "", "admin, coordinator, reader, finance, fleet, funder or beneficiary")
	network := cfg.String("network", "VIF_TOKEN_NETWORK", "", "network id a coordinator is scoped to, e.g. chalonnais")
	organisation := cfg.String("organisation", "VIF_TOKEN_ORGANISATION", "", "organisation id a funder or beneficiary is scoped to, e.g. caf-71")
	subject := cfg.String("subject", "VIF_TOKEN_SUBJECT", "", "who the token is for (default: the role)")
	ttl := cfg.Duration("ttl", "VIF_TOKEN_TTL", 12*time.Hour, "how long the token is valid")
	if err := cfg.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *role == "" {
		return errors.New("--role is required: admin, coordinator, reader, finance, fleet, funder or beneficiary")
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return err
	}
	if err := checkScope(*dataDir, *network, *organisation); err != nil {
		return err
	}
	sub := *subject
	if sub == "" {
		sub = string(r)
	}
	key, err := loadKeys(*dataDir)
	if err != nil {
		return err
	}
	tok, err := auth.Issuer{Key: key}.Issue(auth.Claims{
		Role:             r,
		Network:          *network,
		Organisation:     *organisation,
		RegisteredClaims: jwt.RegisteredClaims{Subject: sub},
	}, *ttl)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, tok)
	return err
}

// checkScope refuses a token scoped to a network or an organisation that does not exist (or is deleted): every
// service would accept it, and its bearer would find nothing, with no word why. Networks are the
// built-in referential; an organisation is looked up in the directory's database when the data
// directory holds one (the embedded default). In the distributed shape the data directory holds
// the key only, and the organisation is not checked here.
func checkScope(dataDir, network, organisation string) error {
	if network != "" {
		ids, err := directory.NetworkIDs()
		if err != nil {
			return err
		}
		if !slices.Contains(ids, network) {
			return fmt.Errorf("--network %q: no such network; the networks are %s", network, strings.Join(ids, ", "))
		}
	}
	if organisation == "" {
		return nil
	}
	path := filepath.Join(dataDir, "directory.db")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := directory.CheckOrganisation(ctx, db, organisation); err != nil {
		if errors.Is(err, directory.ErrNoSuchOrganisation) {
			return fmt.Errorf("--organisation %q: the directory in %s holds no such organisation", organisation, dataDir)
		}
		if errors.Is(err, directory.ErrOrganisationDeleted) {
			return fmt.Errorf("--organisation %q: %w", organisation, err)
		}
		return err
	}
	return nil
}

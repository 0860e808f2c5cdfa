package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/config"
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

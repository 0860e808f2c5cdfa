package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/vif71/vif/cmd/vif/internal/identity"
	"github.com/vif71/vif/platform/config"
)

const accountsUsage = `usage:
  vif users add --email E --role R [--network N | --organisation O] [--password-stdin]
  vif users list
  vif users disable --email E
  vif clients add --name N --role R [--network N | --organisation O]
  vif clients list
  vif clients revoke --id ID
(all take --data-dir, default .vif; they work while the instance runs)`

// users manages the accounts of the built-in OpenID provider.
func users(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(accountsUsage)
	}
	verb, args := args[0], args[1:]
	cfg := config.New("vif users "+verb, getenv)
	dataDir := cfg.String("data-dir", "VIF_DATA_DIR", ".vif", "data directory of the instance")
	var f userFlags
	switch verb {
	case "add":
		f.email = cfg.FlagSet.String("email", "", "the person's e-mail address, what they sign in with")
		f.role = cfg.FlagSet.String("role", "", "admin, coordinator, reader, finance, fleet, funder or beneficiary")
		f.network = cfg.FlagSet.String("network", "", "network id of a coordinator, e.g. louhannais")
		f.organisation = cfg.FlagSet.String("organisation", "", "organisation id of a funder or beneficiary, e.g. caf-71")
		f.fromStdin = cfg.FlagSet.Bool("password-stdin", false, "read the password from the first line of standard input instead of generating one")
	case "disable":
		f.email = cfg.FlagSet.String("email", "", "the account to disable")
	case "list":
	default:
		return fmt.Errorf("unknown command users %q\n%s", verb, accountsUsage)
	}
	if err := cfg.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	st, err := identity.Open(ctx, filepath.Join(*dataDir, identity.File))
	if err != nil {
		return err
	}
	defer st.Close()
	switch verb {
	case "add":
		return addUser(ctx, st, *dataDir, f, stdin, stdout)
	case "disable":
		return disableUser(ctx, st, *f.email, stdout)
	}
	return listUsers(ctx, st, stdout)
}

// userFlags are the flags of vif users add and disable (nil when the verb has none).
type userFlags struct {
	email, role, network, organisation *string
	fromStdin                          *bool
}

// addUser is vif users add: it adds the account with the password read from stdin, or one it
// generates and prints once.
func addUser(ctx context.Context, st *identity.Store, dataDir string, f userFlags, stdin io.Reader, stdout io.Writer) error {
	if err := checkScope(dataDir, *f.network, *f.organisation); err != nil {
		return err
	}
	password, shown := rand.Text(), true
	if *f.fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		password, shown = strings.TrimRight(line, "\r\n"), false
	}
	a, err := st.AddAccount(ctx, *f.email, *f.role, *f.network, *f.organisation, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "account %s added (%s%s)\n", a.Email, a.Role, scopeOf(a.Network, a.Organisation))
	if shown {
		fmt.Fprintf(stdout, "password: %s\n(shown once: only its hash is kept)\n", password)
	}
	return nil
}

// disableUser is vif users disable.
func disableUser(ctx context.Context, st *identity.Store, email string, stdout io.Writer) error {
	if err := st.DisableAccount(ctx, email); err != nil {
		return err
	}
	_, err := fmt.Fprintf(stdout, "account %s disabled: no sign-in, its refresh tokens are revoked, its access tokens expire within %v\n", strings.ToLower(email), identity.AccessTokenLifetime)
	return err
}

// listUsers is vif users list: a table of the accounts.
func listUsers(ctx context.Context, st *identity.Store, stdout io.Writer) error {
	accounts, err := st.Accounts(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "EMAIL\tROLE\tSCOPE\tSTATE\tCREATED")
	for _, a := range accounts {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", a.Email, a.Role, a.Network+a.Organisation, state(a.Disabled, "disabled"), a.Created.Format("2006-01-02"))
	}
	return w.Flush()
}

// clients manages the institutional systems that get tokens with client credentials.
func clients(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(accountsUsage)
	}
	verb, args := args[0], args[1:]
	cfg := config.New("vif clients "+verb, getenv)
	dataDir := cfg.String("data-dir", "VIF_DATA_DIR", ".vif", "data directory of the instance")
	var name, role, network, organisation, id *string
	switch verb {
	case "add":
		name = cfg.FlagSet.String("name", "", "the system's name, e.g. \"SI Caf 71\"; its client id is made from it")
		role = cfg.FlagSet.String("role", "", "admin, coordinator, reader, finance, fleet, funder or beneficiary")
		network = cfg.FlagSet.String("network", "", "network id of a coordinator's system")
		organisation = cfg.FlagSet.String("organisation", "", "organisation id of a funder's or beneficiary's system")
	case "revoke":
		id = cfg.FlagSet.String("id", "", "the client id to revoke")
	case "list":
	default:
		return fmt.Errorf("unknown command clients %q\n%s", verb, accountsUsage)
	}
	if err := cfg.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	st, err := identity.Open(ctx, filepath.Join(*dataDir, identity.File))
	if err != nil {
		return err
	}
	defer st.Close()
	switch verb {
	case "add":
		if err := checkScope(*dataDir, *network, *organisation); err != nil {
			return err
		}
		c, secret, err := st.AddClient(ctx, *name, *role, *network, *organisation)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "client_id: %s\nclient_secret: %s\n(the secret is shown once: only its hash is kept)\n", c.ID, secret)
		return err
	case "revoke":
		if err := st.RevokeClient(ctx, *id); err != nil {
			return err
		}
		_, err := fmt.Fprintf(stdout, "client %s revoked: its secret is refused, its access tokens expire within %v\n", *id, identity.AccessTokenLifetime)
		return err
	}
	list, err := st.Clients(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "CLIENT_ID\tNAME\tROLE\tSCOPE\tSTATE\tCREATED")
	for _, c := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Name, c.Role, c.Network+c.Organisation, state(c.Revoked, "revoked"), c.Created.Format("2006-01-02"))
	}
	return w.Flush()
}

func state(off bool, word string) string {
	if off {
		return word
	}
	return "active"
}

func scopeOf(network, organisation string) string {
	if s := network + organisation; s != "" {
		return ", " + s
	}
	return ""
}

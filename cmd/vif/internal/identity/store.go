// Package identity is the built-in OpenID provider of the embedded default: local accounts that
// sign in on a login page (authorization code with PKCE), institutional systems that use client
// credentials, and the tokens vif's services then trust as they trust ProConnect or a Keycloak
// realm. The protocol is github.com/zitadel/oidc/v3's op package (OpenID Certified); this
// package holds its storage (SQLite, in the data directory), the login page and the accounts.
package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/vif71/vif/platform/auth"
	"github.com/vif71/vif/platform/storage"
)

//go:embed migrations
var migrations embed.FS

// File is the name of the provider's database in the data directory.
const File = "identity.db"

// The errors of the account and client commands.
var (
	ErrExists   = errors.New("already exists")
	ErrNotFound = errors.New("not found")
)

// Store holds the accounts, the clients and the provider's protocol state.
type Store struct {
	db  *storage.DB
	now func() time.Time
}

// Open opens (creating and migrating) the provider's database at path.
func Open(ctx context.Context, path string) (*Store, error) {
	db, err := storage.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err == nil {
		err = storage.Migrate(ctx, db, sub, "identity_migrations")
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Store{db: db, now: time.Now}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Account is a person who signs in.
type Account struct {
	Email, Role, Network, Organisation string
	Created                            time.Time
	Disabled                           bool
}

// Client is an institutional system that gets tokens with client credentials.
type Client struct {
	ID, Name, Role, Network, Organisation string
	Created                               time.Time
	Revoked                               bool
}

// checkScope applies the rule of vif's tokens (auth.Claims.Validate) before anything is stored:
// an account or client whose tokens every service would refuse is a mistake to report now.
func checkScope(sub, role, network, organisation string) error {
	c := auth.Claims{Role: auth.Role(role), Network: network, Organisation: organisation}
	c.Subject = sub
	return c.Validate()
}

// AddAccount creates an account with password, hashed with bcrypt.
func (s *Store) AddAccount(ctx context.Context, email, role, network, organisation, password string) (Account, error) {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email {
		return Account{}, fmt.Errorf("--email %q: not an e-mail address", email)
	}
	email = strings.ToLower(email)
	if err := checkScope(email, role, network, organisation); err != nil {
		return Account{}, err
	}
	if len(password) < 12 {
		return Account{}, errors.New("the password must have at least 12 characters")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return Account{}, err
	}
	a := Account{Email: email, Role: role, Network: network, Organisation: organisation, Created: storage.Stored(s.now())}
	_, err = s.db.ExecContext(ctx, `INSERT INTO accounts (email, password_hash, role, network, organisation, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		a.Email, string(hash), a.Role, a.Network, a.Organisation, a.Created.Format(time.RFC3339Nano))
	if storage.IsUniqueViolation(err) {
		return Account{}, fmt.Errorf("account %s: %w", email, ErrExists)
	}
	return a, err
}

// Accounts lists the accounts by e-mail.
func (s *Store) Accounts(ctx context.Context) ([]Account, error) {
	return storage.Collect(ctx, s.db, `SELECT email, role, network, organisation, created_at, disabled_at IS NOT NULL FROM accounts ORDER BY email`, nil,
		func(r storage.Scanner) (Account, error) {
			var a Account
			var created string
			err := r.Scan(&a.Email, &a.Role, &a.Network, &a.Organisation, &created, &a.Disabled)
			a.Created, _ = time.Parse(time.RFC3339Nano, created)
			return a, err
		})
}

// DisableAccount stops an account: it can no longer sign in, its refresh tokens are deleted at
// once, and the access tokens it holds expire within their lifetime (AccessTokenLifetime).
func (s *Store) DisableAccount(ctx context.Context, email string) error {
	email = strings.ToLower(email)
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET disabled_at = ? WHERE email = ? AND disabled_at IS NULL`, s.now().UTC().Format(time.RFC3339Nano), email)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM accounts WHERE email = ?`, email).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("account %s: %w", email, ErrNotFound)
			}
			return nil // already disabled
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM refresh_tokens WHERE account = ?`, email)
		return err
	})
}

// account returns the active account with email, or ErrNotFound.
func (s *Store) account(ctx context.Context, email string) (Account, string, error) {
	var a Account
	var hash string
	err := s.db.QueryRowContext(ctx, `SELECT email, password_hash, role, network, organisation FROM accounts WHERE email = ? AND disabled_at IS NULL`,
		strings.ToLower(email)).Scan(&a.Email, &hash, &a.Role, &a.Network, &a.Organisation)
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, "", ErrNotFound
	}
	return a, hash, err
}

// dummyHash is compared against when an e-mail is unknown, so that the answer takes as long as
// for a wrong password and does not tell which e-mails have an account.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("no account has this password"), bcrypt.DefaultCost)

// CheckPassword returns the active account of email when password is its own.
func (s *Store) CheckPassword(ctx context.Context, email, password string) (Account, error) {
	a, hash, err := s.account(ctx, email)
	if errors.Is(err, ErrNotFound) {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return Account{}, ErrNotFound
	}
	if err != nil {
		return Account{}, err
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return Account{}, ErrNotFound
	}
	return a, nil
}

var clientID = regexp.MustCompile(`[^a-z0-9]+`)

// AddClient registers an institutional system and returns it with its secret, which is shown
// once: only its SHA-256 is kept (the secret is 256 random bits, so a slow hash adds nothing).
func (s *Store) AddClient(ctx context.Context, name, role, network, organisation string) (Client, string, error) {
	name = strings.TrimSpace(name)
	id := strings.Trim(clientID.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if id == "" {
		return Client{}, "", fmt.Errorf("--name %q: want letters or digits", name)
	}
	if id == ConsoleClientID {
		return Client{}, "", fmt.Errorf("--name %q: reserved for the web console", name)
	}
	if err := checkScope(id, role, network, organisation); err != nil {
		return Client{}, "", err
	}
	secret := rand.Text() + rand.Text()
	c := Client{ID: id, Name: name, Role: role, Network: network, Organisation: organisation, Created: storage.Stored(s.now())}
	_, err := s.db.ExecContext(ctx, `INSERT INTO clients (id, name, secret_hash, role, network, organisation, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Name, hashSecret(secret), c.Role, c.Network, c.Organisation, c.Created.Format(time.RFC3339Nano))
	if storage.IsUniqueViolation(err) {
		return Client{}, "", fmt.Errorf("client %s: %w", id, ErrExists)
	}
	if err != nil {
		return Client{}, "", err
	}
	return c, secret, nil
}

// Clients lists the clients by id.
func (s *Store) Clients(ctx context.Context) ([]Client, error) {
	return storage.Collect(ctx, s.db, `SELECT id, name, role, network, organisation, created_at, revoked_at IS NOT NULL FROM clients ORDER BY id`, nil,
		func(r storage.Scanner) (Client, error) {
			var c Client
			var created string
			err := r.Scan(&c.ID, &c.Name, &c.Role, &c.Network, &c.Organisation, &created, &c.Revoked)
			c.Created, _ = time.Parse(time.RFC3339Nano, created)
			return c, err
		})
}

// RevokeClient stops a client: its secret is refused from now on, and the access tokens it holds
// expire within their lifetime.
func (s *Store) RevokeClient(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE clients SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, s.now().UTC().Format(time.RFC3339Nano), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var one int
		if err := s.db.QueryRowContext(ctx, `SELECT 1 FROM clients WHERE id = ?`, id).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("client %s: %w", id, ErrNotFound)
		}
	}
	return nil
}

// checkClient returns the active client id when secret is its own.
func (s *Store) checkClient(ctx context.Context, id, secret string) (Client, error) {
	var c Client
	var hash string
	err := s.db.QueryRowContext(ctx, `SELECT id, name, secret_hash, role, network, organisation FROM clients WHERE id = ? AND revoked_at IS NULL`, id).
		Scan(&c.ID, &c.Name, &hash, &c.Role, &c.Network, &c.Organisation)
	if errors.Is(err, sql.ErrNoRows) {
		return Client{}, ErrNotFound
	}
	if err != nil {
		return Client{}, err
	}
	if subtle.ConstantTimeCompare([]byte(hash), []byte(hashSecret(secret))) != 1 {
		return Client{}, ErrNotFound
	}
	return c, nil
}

// activeClient returns the client id if it is not revoked.
func (s *Store) activeClient(ctx context.Context, id string) (Client, error) {
	var c Client
	err := s.db.QueryRowContext(ctx, `SELECT id, name, role, network, organisation FROM clients WHERE id = ? AND revoked_at IS NULL`, id).
		Scan(&c.ID, &c.Name, &c.Role, &c.Network, &c.Organisation)
	if errors.Is(err, sql.ErrNoRows) {
		return Client{}, ErrNotFound
	}
	return c, err
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

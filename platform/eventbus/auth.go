package eventbus

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// Who may connect to the bus. Each service publishes with its own identity, on its own subjects
// only (vif.<service>.>); Reader is the identity handed to outside subscribers, who may read and
// consume the VIF stream but never publish an event. Nobody else connects: the suite's servers
// refuse anonymous connections.
//
// Identities are NATS nkeys (Ed25519): a server knows only their public keys, a client proves it
// holds the seed by signing the server's nonce, so no secret crosses the wire or sits in a
// server's configuration.
const Reader = "reader"

// Services are the identities that publish, each on vif.<name>.>.
var Services = []string{"directory", "funding", "fleet", "statistics"}

// Identities are every identity of the suite: the services, then Reader.
func Identities() []string { return append(slices.Clone(Services), Reader) }

// JetStream API subjects, for the VIF stream only. A service needs to read and keep the stream
// (EnsureStream creates it or updates its configuration); a reader needs to look the stream up,
// read it and manage its own consumers. No identity may delete the stream, purge it or delete a
// message from it; the stream also denies the last two whatever the permissions (StreamConfig).
var (
	serviceJetStreamAPI = []string{
		"$JS.API.INFO",
		"$JS.API.STREAM.INFO." + StreamName,
		"$JS.API.STREAM.CREATE." + StreamName,
		"$JS.API.STREAM.UPDATE." + StreamName,
	}
	readerJetStreamAPI = []string{
		"$JS.API.INFO",
		"$JS.API.STREAM.INFO." + StreamName,
		"$JS.API.STREAM.MSG.GET." + StreamName,
		"$JS.API.CONSUMER.CREATE." + StreamName,
		"$JS.API.CONSUMER.CREATE." + StreamName + ".>",
		"$JS.API.CONSUMER.DURABLE.CREATE." + StreamName + ".>",
		"$JS.API.CONSUMER.INFO." + StreamName + ".>",
		"$JS.API.CONSUMER.NAMES." + StreamName,
		"$JS.API.CONSUMER.LIST." + StreamName,
		"$JS.API.CONSUMER.DELETE." + StreamName + ".>",
		"$JS.API.CONSUMER.MSG.NEXT." + StreamName + ".>",
		// Acknowledgements of the messages a consumer delivers.
		"$JS.ACK." + StreamName + ".>",
	}
	// inbox is where answers come back: JetStream acks of a publish, API responses, pulled messages.
	inbox = "_INBOX.>"
)

// Permissions returns what identity may do on the bus, or nil for an identity the suite does not
// know. deploy/nats/nats.conf grants the same to the same names.
func Permissions(identity string) *server.Permissions {
	switch {
	case identity == Reader:
		return &server.Permissions{
			Publish:   &server.SubjectPermission{Allow: slices.Clone(readerJetStreamAPI), Deny: []string{SubjectAll}},
			Subscribe: &server.SubjectPermission{Allow: []string{inbox, SubjectAll}},
		}
	case slices.Contains(Services, identity):
		return &server.Permissions{
			Publish:   &server.SubjectPermission{Allow: append([]string{ServiceSubjects(identity)}, serviceJetStreamAPI...)},
			Subscribe: &server.SubjectPermission{Allow: []string{inbox}},
		}
	default:
		return nil
	}
}

// ServiceSubjects is the subject filter a service publishes on: "vif.fleet.>" for fleet.
func ServiceSubjects(service string) string { return "vif." + service + ".>" }

// Keyring holds the nkey seed of every identity of the suite, one file each in Dir, readable by
// the owner only, plus nats.env with their public keys for a standalone nats-server.
type Keyring struct {
	Dir    string
	public map[string]string
}

// EnvFile is the file of a Keyring that gives nats-server the public keys:
// VIF_NATS_NKEY_DIRECTORY=U..., one line per identity. deploy/nats/nats.conf reads those
// variables. Public keys are no secret, but they are the deployment's own, so they live beside
// the seeds rather than in the repository.
const EnvFile = "nats.env"

// LoadOrCreateKeyring loads the seeds in dir, creating dir and any missing seed, and (re)writes
// its EnvFile. The seeds never leave dir: clients read them from their file (CredsOption).
func LoadOrCreateKeyring(dir string) (*Keyring, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("eventbus: keyring: %w", err)
	}
	k := &Keyring{Dir: dir, public: map[string]string{}}
	var env bytes.Buffer
	for _, id := range Identities() {
		pub, err := loadOrCreateSeed(k.SeedFile(id))
		if err != nil {
			return nil, err
		}
		k.public[id] = pub
		fmt.Fprintf(&env, "%s=%s\n", PublicKeyVar(id), pub)
	}
	if err := writeFileAtomically(filepath.Join(dir, EnvFile), env.Bytes(), 0o644); err != nil {
		return nil, fmt.Errorf("eventbus: keyring: %w", err)
	}
	return k, nil
}

// PublicKeyVar is the environment variable holding identity's public key for nats-server:
// VIF_NATS_NKEY_FLEET for fleet.
func PublicKeyVar(identity string) string { return "VIF_NATS_NKEY_" + strings.ToUpper(identity) }

// ReaderCredsFile is where a Keyring in dir keeps the reader's seed, whether or not it exists yet.
func ReaderCredsFile(dir string) string { return filepath.Join(dir, Reader+".nk") }

// SeedFile is the file holding identity's seed, the credentials a client connects with.
func (k *Keyring) SeedFile(identity string) string { return filepath.Join(k.Dir, identity+".nk") }

// PublicKey is identity's public key.
func (k *Keyring) PublicKey(identity string) string { return k.public[identity] }

// Users are the server's accounts of every identity of k, with their permissions.
func (k *Keyring) Users() []*server.NkeyUser {
	var users []*server.NkeyUser
	for _, id := range Identities() {
		users = append(users, &server.NkeyUser{Nkey: k.public[id], Permissions: Permissions(id)})
	}
	return users
}

func loadOrCreateSeed(path string) (string, error) {
	if b, err := os.ReadFile(path); err == nil {
		kp, err := nkeys.ParseDecoratedNKey(b)
		if err != nil {
			return "", fmt.Errorf("eventbus: %s holds no nkey seed: %w", path, err)
		}
		defer kp.Wipe()
		pub, err := kp.PublicKey()
		if err != nil || !nkeys.IsValidPublicUserKey(pub) {
			return "", fmt.Errorf("eventbus: %s is not a user nkey seed", path)
		}
		return pub, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("eventbus: %w", err)
	}
	kp, err := nkeys.CreateUser()
	if err != nil {
		return "", fmt.Errorf("eventbus: create nkey: %w", err)
	}
	defer kp.Wipe()
	seed, err := kp.Seed()
	if err != nil {
		return "", fmt.Errorf("eventbus: create nkey: %w", err)
	}
	if err := writeFileAtomically(path, append(seed, '\n'), 0o600); err != nil {
		return "", fmt.Errorf("eventbus: %w", err)
	}
	return kp.PublicKey()
}

func writeFileAtomically(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// CredsOption returns the nats.go option that authenticates with the credentials in path: an
// nkey seed file (as a Keyring writes) or a NATS user credentials file (JWT and seed, for servers
// run in operator mode). The file is read when connecting and its content is never logged; an
// empty path connects without credentials, which the suite's servers refuse.
func CredsOption(path string) (nats.Option, error) {
	if path == "" {
		return func(*nats.Options) error { return nil }, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("eventbus: NATS credentials: %w", err)
	}
	isJWT := bytes.Contains(b, []byte("BEGIN NATS USER JWT"))
	clear(b)
	if isJWT {
		return nats.UserCredentials(path), nil
	}
	opt, err := nats.NkeyOptionFromSeed(path)
	if err != nil {
		return nil, fmt.Errorf("eventbus: NATS credentials %s: %w", path, err)
	}
	return opt, nil
}

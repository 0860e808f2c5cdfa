package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// LoadOrCreatePrivateKey reads the Ed25519 signing key at path (PEM "PRIVATE KEY", PKCS#8),
// creating it first when the file does not exist, so that a fresh install signs tokens
// without a setup step. An existing file that is not such a key is an error, never
// overwritten: replacing it would silently invalidate every token in circulation.
func LoadOrCreatePrivateKey(path string) (ed25519.PrivateKey, error) {
	key, err := loadPrivateKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	_, key, err = ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("auth: generate key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("auth: encode key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("auth: create key directory: %w", err)
	}
	// O_EXCL: when two processes start together, one creates the key and the other loads it,
	// rather than each keeping a key the other's tokens do not verify against.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return loadPrivateKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: create key: %w", err)
	}
	err = pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// A half-written key would make every later start fail; better to try again afresh.
		os.Remove(path)
		return nil, fmt.Errorf("auth: write key %s: %w", path, err)
	}
	return key, nil
}

func loadPrivateKey(path string) (ed25519.PrivateKey, error) {
	block, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	if block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("auth: %s holds a %q PEM block; want \"PRIVATE KEY\"", path, block.Type)
	}
	return parsePrivateKey(path, block.Bytes)
}

func parsePrivateKey(path string, der []byte) (ed25519.PrivateKey, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("auth: %s: %w", path, err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("auth: %s holds a %T; want an Ed25519 key", path, k)
	}
	return key, nil
}

// LoadPublicKey reads the Ed25519 verification key at path: PEM "PUBLIC KEY" (PKIX), or a
// private key file, from which it derives the public key, so a single-binary install can
// point issuer and verifiers at the same file.
func LoadPublicKey(path string) (ed25519.PublicKey, error) {
	block, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("auth: %s: %w", path, err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("auth: %s holds a %T; want an Ed25519 key", path, k)
		}
		return pub, nil
	case "PRIVATE KEY":
		key, err := parsePrivateKey(path, block.Bytes)
		if err != nil {
			return nil, err
		}
		return key.Public().(ed25519.PublicKey), nil
	}
	return nil, fmt.Errorf("auth: %s holds a %q PEM block; want \"PUBLIC KEY\" or \"PRIVATE KEY\"", path, block.Type)
}

// WritePublicKey writes pub to path as PEM "PUBLIC KEY" (PKIX). It writes a temporary file
// and renames it, so a verifier reading the file meanwhile never sees half a key.
func WritePublicKey(path string, pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("auth: public key is %d bytes; want %d", len(pub), ed25519.PublicKeySize)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return fmt.Errorf("auth: encode public key: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("auth: create public key directory: %w", err)
	}
	f, err := os.CreateTemp(dir, ".pubkey-*")
	if err != nil {
		return fmt.Errorf("auth: write public key: %w", err)
	}
	defer os.Remove(f.Name()) // a no-op once renamed
	err = pem.Encode(f, &pem.Block{Type: "PUBLIC KEY", Bytes: der})
	if err == nil {
		err = f.Chmod(0o644) // public by nature; CreateTemp's 0600 would lock out other users
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("auth: write public key %s: %w", path, err)
	}
	return nil
}

func readPEM(path string) (*pem.Block, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth: read key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("auth: %s is not a PEM file", path)
	}
	return block, nil
}

package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

func TestLoadOrCreatePrivateKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	path := filepath.Join(dir, "signing.pem")

	created, err := LoadOrCreatePrivateKey(path)
	if err != nil {
		t.Fatalf("LoadOrCreatePrivateKey(%q) (create) = %v", path, err)
	}
	for _, f := range []struct {
		path string
		want os.FileMode
	}{{path, 0o600}, {dir, 0o700}} {
		fi, err := os.Stat(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != f.want {
			t.Errorf("mode of %q = %v; want %v", f.path, got, f.want)
		}
	}

	reloaded, err := LoadOrCreatePrivateKey(path)
	if err != nil {
		t.Fatalf("LoadOrCreatePrivateKey(%q) (reload) = %v", path, err)
	}
	if !created.Equal(reloaded) {
		t.Errorf("LoadOrCreatePrivateKey(%q) reloaded a different key", path)
	}

	// The public key derived from the private key file...
	pub, err := LoadPublicKey(path)
	if err != nil {
		t.Fatalf("LoadPublicKey(%q) (private file) = %v", path, err)
	}
	if want := created.Public().(ed25519.PublicKey); !pub.Equal(want) {
		t.Errorf("LoadPublicKey(%q) (private file) = %x; want %x", path, pub, want)
	}
	// ...and the one written to its own file are the same key.
	pubPath := filepath.Join(t.TempDir(), "pub", "signing.pub.pem")
	if err := WritePublicKey(pubPath, pub); err != nil {
		t.Fatalf("WritePublicKey(%q) = %v", pubPath, err)
	}
	got, err := LoadPublicKey(pubPath)
	if err != nil {
		t.Fatalf("LoadPublicKey(%q) = %v", pubPath, err)
	}
	if !got.Equal(pub) {
		t.Errorf("LoadPublicKey(%q) = %x; want %x", pubPath, got, pub)
	}
	if _, err := LoadOrCreatePrivateKey(pubPath); err == nil {
		t.Errorf("LoadOrCreatePrivateKey(%q) (public key file) = nil error; want an error", pubPath)
	}
}

// TestKeyFilesRejected checks that a file which is not an Ed25519 key is reported, and that
// LoadOrCreatePrivateKey never replaces it with a fresh key.
func TestKeyFilesRejected(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"not PEM", []byte("hello")},
		{"empty", nil},
		{"certificate block", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2, 3}})},
		{"garbage DER", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}})},
		{"ECDSA key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "key.pem")
		if err := os.WriteFile(path, tt.data, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadOrCreatePrivateKey(path); err == nil {
			t.Errorf("%s: LoadOrCreatePrivateKey = nil error; want an error", tt.name)
		}
		if _, err := LoadPublicKey(path); err == nil {
			t.Errorf("%s: LoadPublicKey = nil error; want an error", tt.name)
		}
		if got, _ := os.ReadFile(path); string(got) != string(tt.data) {
			t.Errorf("%s: key file was rewritten", tt.name)
		}
	}
	if _, err := LoadPublicKey(filepath.Join(t.TempDir(), "missing.pem")); err == nil {
		t.Errorf("LoadPublicKey(missing) = nil error; want an error")
	}
	if err := WritePublicKey(filepath.Join(t.TempDir(), "short.pem"), ed25519.PublicKey{1, 2}); err == nil {
		t.Errorf("WritePublicKey(2-byte key) = nil error; want an error")
	}
}

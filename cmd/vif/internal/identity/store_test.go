package identity

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStoreKeepsNoSecretInTheClear: the database file holds neither a password nor a client
// secret, only their hashes, and both still check.
func TestStoreKeepsNoSecretInTheClear(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), File)
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	const password = "un mot de passe assez long"
	if _, err := st.AddAccount(ctx, "camille@exemple.fr", "reader", "", "", password); err != nil {
		t.Fatal(err)
	}
	c, secret, err := st.AddClient(ctx, "SI Caf 71", "funder", "", "caf-71")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CheckPassword(ctx, "Camille@Exemple.fr", password); err != nil {
		t.Errorf("CheckPassword with the right password: %v", err)
	}
	if _, err := st.CheckPassword(ctx, "camille@exemple.fr", password+"x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("CheckPassword with a wrong password = %v; want ErrNotFound", err)
	}
	if _, err := st.checkClient(ctx, c.ID, secret); err != nil {
		t.Errorf("checkClient with the secret: %v", err)
	}
	if _, err := st.AddAccount(ctx, "court@exemple.fr", "reader", "", "", "court"); err == nil {
		t.Error("AddAccount with a 5-character password: no error")
	}
	st.Close()
	for _, f := range []string{path, path + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if strings.Contains(string(raw), password) || strings.Contains(string(raw), secret) {
			t.Errorf("%s holds a password or a secret in the clear", f)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// vifToken runs `vif token` with args against dataDir and returns what it printed and its error.
func vifToken(dataDir string, args ...string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"token", "--data-dir", dataDir}, args...), func(string) string { return "" }, &out)
	return strings.TrimSpace(out.String()), err
}

// TestTokenRefusesANetworkThatDoesNotExist: a coordinator's token for a misspelt network would
// be accepted by every service and let its bearer edit nothing, silently; it is refused instead,
// with the networks there are. The networks are the built-in referential: this holds with or
// without a running instance.
func TestTokenRefusesANetworkThatDoesNotExist(t *testing.T) {
	dir := t.TempDir()
	tok, err := vifToken(dir, "--role", "coordinator", "--network", "nowhere")
	if err == nil || tok != "" {
		t.Fatalf("vif token --network nowhere = %q, %v; want no token and an error", tok, err)
	}
	if !strings.Contains(err.Error(), "nowhere") || !strings.Contains(err.Error(), "chalonnais") {
		t.Errorf("vif token --network nowhere: error %q; want it to name the network and those there are", err)
	}
	if tok, err := vifToken(dir, "--role", "coordinator", "--network", "chalonnais"); err != nil || tok == "" {
		t.Errorf("vif token --network chalonnais = %q, %v; want a token", tok, err)
	}
}

// TestTokenRefusesAnOrganisationTheDirectoryDoesNotHold: with the embedded default's data
// directory, the organisation of a funder's or beneficiary's token is looked up in the
// directory's database.
func TestTokenRefusesAnOrganisationTheDirectoryDoesNotHold(t *testing.T) {
	dir := t.TempDir()
	_, stop := startEmbedded(t, dir)
	stop()
	tok, err := vifToken(dir, "--role", "beneficiary", "--organisation", "garage-nulle-part")
	if err == nil || tok != "" || !strings.Contains(err.Error(), "garage-nulle-part") {
		t.Errorf("vif token --organisation garage-nulle-part = %q, %v; want no token and an error naming it", tok, err)
	}
	if tok, err := vifToken(dir, "--role", "beneficiary", "--organisation", "garage-solidaire-bourgogne"); err != nil || tok == "" {
		t.Errorf("vif token --organisation garage-solidaire-bourgogne = %q, %v; want a token", tok, err)
	}
}

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
// directory's database: one it does not hold, or holds deleted, gets no token.
func TestTokenRefusesAnOrganisationTheDirectoryDoesNotHold(t *testing.T) {
	dir := t.TempDir()
	in, stop := startEmbedded(t, dir)
	// A deleted organisation (REST, as the README shows) gets no new token either.
	base, admin := "http://"+in.httpAddr, tokenFor(t, dir, "--role", "admin")
	const deleted = "/v1/organisations/mission-locale-gueugnon"
	if r := call(t, "DELETE", base+deleted, admin, ""); r.status != 200 || r.body["deleteTime"] == nil {
		t.Fatalf("DELETE %s = %d %v; want 200 with its deleteTime", deleted, r.status, r.body)
	}
	if r := call(t, "GET", base+deleted, "", ""); r.status != 200 || r.body["deleteTime"] == nil {
		t.Errorf("GET %s after its delete = %d %v; want 200 with its deleteTime", deleted, r.status, r.body)
	}
	listed := func(query string) bool {
		r := call(t, "GET", base+"/v1/organisations?pageSize=1000"+query, "", "")
		orgs, _ := r.body["organisations"].([]any)
		for _, o := range orgs {
			if o.(map[string]any)["name"] == strings.TrimPrefix(deleted, "/v1/") {
				return true
			}
		}
		return false
	}
	if listed("") || !listed("&showDeleted=true") {
		t.Errorf("the deleted organisation listed: %v, with showDeleted=true: %v; want false, true", listed(""), listed("&showDeleted=true"))
	}
	stop()
	if tok, err := vifToken(dir, "--role", "beneficiary", "--organisation", "mission-locale-gueugnon"); err == nil || tok != "" || !strings.Contains(err.Error(), "deleted") {
		t.Errorf("vif token --organisation of a deleted organisation = %q, %v; want no token and an error saying it is deleted", tok, err)
	}
	tok, err := vifToken(dir, "--role", "beneficiary", "--organisation", "garage-nulle-part")
	if err == nil || tok != "" || !strings.Contains(err.Error(), "garage-nulle-part") {
		t.Errorf("vif token --organisation garage-nulle-part = %q, %v; want no token and an error naming it", tok, err)
	}
	if tok, err := vifToken(dir, "--role", "beneficiary", "--organisation", "garage-solidaire-bourgogne"); err != nil || tok == "" {
		t.Errorf("vif token --organisation garage-solidaire-bourgogne = %q, %v; want a token", tok, err)
	}
}

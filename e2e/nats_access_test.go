package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/vif71/vif/platform/eventbus"
	"github.com/vif71/vif/platform/eventbus/eventbustest"
)

// TestStandaloneNATSAccess proves the bus's access rules on the standalone nats-server of the
// distributed shape, built from the pinned module and run with deploy/nats/nats.conf as compose
// runs it: anonymous clients refused, each service on its own subjects, the reader read-only,
// the stream neither deleted nor purged.
func TestStandaloneNATSAccess(t *testing.T) {
	bin := t.TempDir()
	build(t, bin, "github.com/nats-io/nats-server/v2")
	url, keys := startNATSServer(t, bin)
	eventbustest.CheckAccess(t, url, keys.SeedFile)
}

// TestNATSConfMatchesThePlatform checks that deploy/nats/nats.conf grants each identity exactly
// what platform/eventbus grants it on the embedded server, so the two shapes cannot drift apart.
func TestNATSConfMatchesThePlatform(t *testing.T) {
	keys, err := eventbus.LoadOrCreateKeyring(filepath.Join(t.TempDir(), "nats-keys"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range eventbus.Identities() {
		t.Setenv(eventbus.PublicKeyVar(id), keys.PublicKey(id))
	}
	t.Setenv("NATS_SERVER_NAME", "conf-check")
	t.Setenv("NATS_STORE_DIR", t.TempDir())
	opts, err := server.ProcessConfigFile(filepath.Join(repoRoot(t), "deploy", "nats", "nats.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if len(opts.Users) != 0 || opts.NoAuthUser != "" || len(opts.Nkeys) != len(eventbus.Identities()) {
		t.Fatalf("nats.conf: %d users, no_auth_user %q, %d nkeys; want only the %d nkeys of the suite",
			len(opts.Users), opts.NoAuthUser, len(opts.Nkeys), len(eventbus.Identities()))
	}
	for _, id := range eventbus.Identities() {
		i := slices.IndexFunc(opts.Nkeys, func(u *server.NkeyUser) bool { return u.Nkey == keys.PublicKey(id) })
		if i < 0 {
			t.Errorf("nats.conf has no user for %s (%s)", id, eventbus.PublicKeyVar(id))
			continue
		}
		got, want := opts.Nkeys[i].Permissions, eventbus.Permissions(id)
		if !samePerm(got.Publish, want.Publish) || !samePerm(got.Subscribe, want.Subscribe) || got.Response != nil {
			t.Errorf("nats.conf permissions of %s = %s; want %s", id, permString(got), permString(want))
		}
	}
	if b, err := os.ReadFile(filepath.Join(repoRoot(t), "docker-compose.yml")); err != nil || !strings.Contains(string(b), "deploy/nats/nats.conf") {
		t.Errorf("docker-compose.yml does not run nats-server with deploy/nats/nats.conf (%v)", err)
	}
}

func samePerm(a, b *server.SubjectPermission) bool {
	if a == nil || b == nil {
		return a == b
	}
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	return slices.Equal(sorted(a.Allow), sorted(b.Allow)) && slices.Equal(sorted(a.Deny), sorted(b.Deny))
}

func permString(p *server.Permissions) string {
	if p == nil {
		return "none"
	}
	f := func(s *server.SubjectPermission) string {
		if s == nil {
			return "-"
		}
		return "allow " + strings.Join(s.Allow, ",") + " deny " + strings.Join(s.Deny, ",")
	}
	return "publish(" + f(p.Publish) + ") subscribe(" + f(p.Subscribe) + ")"
}

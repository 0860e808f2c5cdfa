package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVersion builds the binaries as deploy/Dockerfile does (the commit given at link time for
// builds without .git; a build from a git checkout stamps it too, and that stamp wins) and checks
// that `vif version` and each service's and the gateway's --version name the module and the
// commit they were built from.
func TestVersion(t *testing.T) {
	root := repoRoot(t)
	head, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatalf("git rev-parse HEAD: %v", err)
	}
	commit := strings.TrimSpace(string(head))
	bin := t.TempDir()
	cmd := exec.Command("go", "build", "-buildvcs=true", "-ldflags", "-X github.com/vif71/vif/platform/version.commit="+commit,
		"-o", bin+string(os.PathSeparator), "./cmd/vif", "./services/directory/cmd/directory", "./services/funding/cmd/funding",
		"./services/fleet/cmd/fleet", "./services/statistics/cmd/statistics", "./gateway/cmd/gateway")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, tt := range []struct {
		bin    string
		args   []string
		module string
	}{
		{"vif", []string{"version"}, "github.com/vif71/vif"},
		{"vif", []string{"--version"}, "github.com/vif71/vif"},
		{"directory", []string{"--version"}, "github.com/vif71/vif/services/directory"},
		{"funding", []string{"--version"}, "github.com/vif71/vif/services/funding"},
		{"fleet", []string{"--version"}, "github.com/vif71/vif/services/fleet"},
		{"statistics", []string{"--version"}, "github.com/vif71/vif/services/statistics"},
		{"gateway", []string{"--version"}, "github.com/vif71/vif/gateway"},
	} {
		c := exec.Command(filepath.Join(bin, tt.bin), tt.args...)
		c.Env = []string{"PATH=" + os.Getenv("PATH")} // no VIF_* setting needed, none read
		out, err := c.Output()
		if err != nil {
			t.Errorf("%s %v: %v", tt.bin, tt.args, err)
			continue
		}
		line := strings.TrimSpace(string(out))
		want := tt.bin + " " + tt.module + " "
		if !strings.HasPrefix(line, want) || !strings.Contains(line, " commit "+commit) || strings.Contains(line, "\n") {
			t.Errorf("%s %v = %q; want one line %q… with commit %s", tt.bin, tt.args, line, want, commit)
		}
	}
}

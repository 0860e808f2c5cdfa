// Package version says which build of vif is running: the module and its version, and the
// commit it was built from, as `vif version` and every binary's --version print them.
package version

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// commit is the fallback for builds that carry no VCS information: go build stamps the commit
// only from a git checkout (not from a git worktree, nor in a Docker build, which does not get
// .git). deploy/Dockerfile sets it:
//
//	go build -ldflags "-X github.com/vif71/vif/platform/version.commit=$(git rev-parse HEAD)"
var commit string

// Info is what a build knows about itself.
type Info struct {
	Module   string // the main module's path, e.g. github.com/vif71/vif/services/directory
	Version  string // its version: a tag, a pseudo-version, or "devel" for a local build
	Commit   string // the git commit, or "unknown"
	Time     string // the commit's time (RFC 3339), when known
	Modified bool   // built from a working tree with uncommitted changes
	Go       string // the Go toolchain
}

// Get reads the running binary's build information.
func Get() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = &debug.BuildInfo{}
	}
	return fromBuildInfo(bi, commit)
}

func fromBuildInfo(bi *debug.BuildInfo, fallbackCommit string) Info {
	i := Info{Module: bi.Main.Path, Version: bi.Main.Version, Go: bi.GoVersion}
	if i.Version == "" || i.Version == "(devel)" {
		i.Version = "devel"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			i.Commit = s.Value
		case "vcs.time":
			i.Time = s.Value
		case "vcs.modified":
			i.Modified = s.Value == "true"
		}
	}
	if i.Commit == "" {
		i.Commit = fallbackCommit
	}
	if i.Commit == "" {
		i.Commit = "unknown"
	}
	return i
}

// String is the line --version prints: "NAME MODULE VERSION commit C[ (modified)] [TIME] GO".
func (i Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s commit %s", i.Module, i.Version, i.Commit)
	if i.Modified {
		b.WriteString(" (modified)")
	}
	if i.Time != "" {
		b.WriteString(" " + i.Time)
	}
	if i.Go != "" {
		b.WriteString(" " + i.Go)
	}
	return b.String()
}

// Line is what a binary named name prints for --version.
func Line(name string) string { return name + " " + Get().String() }

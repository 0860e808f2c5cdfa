package version

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	main := debug.Module{Path: "github.com/vif71/vif/services/directory", Version: "v1.4.0"}
	vcs := []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "8d6fb0f26a3843a8936cab56c180e1d4900474ad"},
		{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	tests := []struct {
		name     string
		bi       debug.BuildInfo
		fallback string
		want     string
	}{
		{"stamped by go build", debug.BuildInfo{GoVersion: "go1.26.0", Main: main, Settings: vcs}, "",
			"github.com/vif71/vif/services/directory v1.4.0 commit 8d6fb0f26a3843a8936cab56c180e1d4900474ad (modified) 2026-12-01T10:00:00Z go1.26.0"},
		{"the stamp wins over the fallback", debug.BuildInfo{Main: main, Settings: vcs[:2]}, "0123",
			"github.com/vif71/vif/services/directory v1.4.0 commit 8d6fb0f26a3843a8936cab56c180e1d4900474ad"},
		{"no VCS information: the commit given at link time", debug.BuildInfo{Main: debug.Module{Path: "m", Version: "(devel)"}}, "0123",
			"m devel commit 0123"},
		{"nothing known", debug.BuildInfo{Main: debug.Module{Path: "m"}}, "", "m devel commit unknown"},
	}
	for _, tt := range tests {
		if got := fromBuildInfo(&tt.bi, tt.fallback).String(); got != tt.want {
			t.Errorf("%s: fromBuildInfo = %q; want %q", tt.name, got, tt.want)
		}
	}
}

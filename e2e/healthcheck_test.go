package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// checkHealthCheckCommands runs the container health checks of docker-compose.yml
// (`directory --health-check`, `gateway --health-check`) against the running processes, and
// against an address where nothing listens, which must fail.
func checkHealthCheckCommands(t *testing.T, bin, grpcAddr, httpAddr string) {
	t.Helper()
	nobody := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	for _, tt := range []struct {
		bin, env string
		healthy  bool
	}{
		{"directory", "VIF_GRPC_ADDR=" + grpcAddr, true},
		{"gateway", "VIF_HTTP_ADDR=" + httpAddr, true},
		{"directory", "VIF_GRPC_ADDR=" + nobody, false},
		{"gateway", "VIF_HTTP_ADDR=" + nobody, false},
	} {
		cmd := exec.Command(filepath.Join(bin, tt.bin), "--health-check")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), tt.env}
		out, err := cmd.CombinedOutput()
		if (err == nil) != tt.healthy {
			t.Errorf("%s --health-check with %s: err = %v (%s); want healthy %v", tt.bin, tt.env, err, out, tt.healthy)
		}
	}
}

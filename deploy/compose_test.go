package deploy

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/nats-io/nats-server/v2/server"
)

// TestComposeFile loads ../docker-compose.yml as docker compose does (compose-go, with the
// Compose specification's validation) and checks what an operator relies on: every container
// has a health check and a restart policy, starts once what it needs is healthy, NATS runs the
// version the code pins with deploy/nats/nats.conf, and the suite's images are built by
// deploy/Dockerfile with the commit.
func TestComposeFile(t *testing.T) {
	project, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  "..",
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join("..", "docker-compose.yml")}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) {
		o.SetProjectName("vif", true)
		// env_file and secrets name files in ./secrets, which `vif events credentials` creates
		// on the operator's machine; they are not in the repository.
		o.SkipResolveEnvironment = true
		o.SkipConsistencyCheck = false
	})
	if err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	suite := []string{"directory", "funding", "fleet", "statistics", "gateway"}
	for _, name := range append(slices.Clone(suite), "nats", "postgres") {
		svc, err := project.GetService(name)
		if err != nil {
			t.Errorf("no service %s", name)
			continue
		}
		if hc := svc.HealthCheck; hc == nil || hc.Disable || len(hc.Test) < 2 || hc.Test[0] != "CMD" {
			t.Errorf("%s: health check %+v; want a CMD test", name, hc)
		}
		if svc.Restart != types.RestartPolicyUnlessStopped {
			t.Errorf("%s: restart %q; want %q", name, svc.Restart, types.RestartPolicyUnlessStopped)
		}
		for dep, d := range svc.DependsOn {
			if d.Condition != types.ServiceConditionHealthy {
				t.Errorf("%s: depends on %s %s; want %s", name, dep, d.Condition, types.ServiceConditionHealthy)
			}
		}
	}
	for _, name := range suite {
		svc, _ := project.GetService(name)
		if svc.Build == nil || svc.Build.Dockerfile != "deploy/Dockerfile" || svc.Build.Args["CMD"] == nil || svc.Build.Args["VCS_REF"] == nil {
			t.Errorf("%s: build %+v; want deploy/Dockerfile with CMD and VCS_REF", name, svc.Build)
		}
		if hc := svc.HealthCheck; hc != nil && !slices.Equal(hc.Test, types.HealthCheckTest{"CMD", "/app", "--health-check"}) {
			t.Errorf("%s: health check %v; want the binary's own --health-check", name, hc.Test)
		}
	}
	nats, _ := project.GetService("nats")
	if want := "nats:" + server.VERSION; nats.Image != want && !strings.HasPrefix(nats.Image, want+"-") && !strings.HasPrefix(nats.Image, want+"@") {
		t.Errorf("nats image %s; want %s, the nats-server version the code pins", nats.Image, want)
	}
	if !slices.ContainsFunc(nats.Volumes, func(v types.ServiceVolumeConfig) bool {
		return strings.HasSuffix(v.Source, filepath.Join("deploy", "nats", "nats.conf")) && v.Target == "/etc/nats/nats.conf"
	}) || !slices.Contains(nats.Command, "/etc/nats/nats.conf") {
		t.Errorf("nats runs %v with volumes %v; want deploy/nats/nats.conf", nats.Command, nats.Volumes)
	}
}

// TestDockerBuild checks the build side: the context leaves out what must never be in an image
// or a build cache, and the image carries the OCI labels.
func TestDockerBuild(t *testing.T) {
	ignore, err := os.ReadFile(filepath.Join("..", ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(ignore), "\n")
	for _, must := range []string{".git", ".vif", "secrets", "**/node_modules"} {
		if !slices.Contains(lines, must) {
			t.Errorf(".dockerignore does not leave out %s", must)
		}
	}
	dockerfile, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, label := range []string{"title", "description", "source", "revision"} {
		if !strings.Contains(string(dockerfile), "org.opencontainers.image."+label+"=") {
			t.Errorf("deploy/Dockerfile: no OCI label org.opencontainers.image.%s", label)
		}
	}
	if !strings.Contains(string(dockerfile), "platform/version.commit=${VCS_REF}") {
		t.Error("deploy/Dockerfile does not give the commit to the binary (VCS_REF)")
	}
}

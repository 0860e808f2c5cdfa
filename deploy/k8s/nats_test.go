package k8s

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	corev1 "k8s.io/api/core/v1"

	"github.com/vif71/vif/platform/eventbus"
)

// checkNATSConfig loads the cluster's nats.conf, as rendered into its ConfigMap, with
// nats-server's own parser: three routed servers with JetStream, and each identity granted
// exactly what platform/eventbus grants it on the embedded server.
func checkNATSConfig(t *testing.T, r rendered, w workload) {
	t.Helper()
	c := w.pod.Spec.Containers[0]
	if want := "nats:" + server.VERSION; c.Image != want && !strings.HasPrefix(c.Image, want+"@sha256:") {
		t.Errorf("NATS image %s; want %s, the nats-server version the code pins", c.Image, want)
	}
	var cmName string
	for _, v := range w.pod.Spec.Volumes {
		if v.ConfigMap != nil {
			cmName = v.ConfigMap.Name
		}
	}
	i := slices.IndexFunc(r.configMaps, func(cm *corev1.ConfigMap) bool { return cm.Name == cmName })
	if i < 0 {
		t.Fatalf("the NATS pods mount ConfigMap %q, which is not in the manifests", cmName)
	}
	conf, ok := r.configMaps[i].Data["nats.conf"]
	if !ok {
		t.Fatalf("ConfigMap %s has no nats.conf", cmName)
	}
	if !slices.ContainsFunc(c.EnvFrom, func(e corev1.EnvFromSource) bool {
		return e.ConfigMapRef != nil && e.ConfigMapRef.Name == "vif-nats-nkeys"
	}) {
		t.Error("the NATS servers do not read the public keys from ConfigMap vif-nats-nkeys")
	}

	keys, err := eventbus.LoadOrCreateKeyring(filepath.Join(t.TempDir(), "nats-keys"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range eventbus.Identities() {
		t.Setenv(eventbus.PublicKeyVar(id), keys.PublicKey(id))
	}
	t.Setenv("POD_NAME", "nats-1")
	path := filepath.Join(t.TempDir(), "nats.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	opts, err := server.ProcessConfigFile(path)
	if err != nil {
		t.Fatalf("nats-server cannot load the cluster's nats.conf: %v", err)
	}
	if opts.ServerName != "nats-1" || !opts.JetStream || opts.Cluster.Name != "vif" || opts.Cluster.Port != 6222 {
		t.Errorf("nats.conf: server %q, JetStream %v, cluster %q on %d; want the pod's name, JetStream, cluster vif on 6222",
			opts.ServerName, opts.JetStream, opts.Cluster.Name, opts.Cluster.Port)
	}
	var routes []string
	for _, u := range opts.Routes {
		routes = append(routes, u.Host)
	}
	var want []string
	for n := range w.replicas {
		want = append(want, fmt.Sprintf("nats-%d.nats-headless:6222", n))
	}
	if !slices.Equal(routes, want) {
		t.Errorf("nats.conf routes = %v; want one to each of the %d servers %v", routes, w.replicas, want)
	}
	if len(opts.Users) != 0 || opts.NoAuthUser != "" || len(opts.Nkeys) != len(eventbus.Identities()) {
		t.Fatalf("nats.conf: %d users, no_auth_user %q, %d nkeys; want only the %d nkeys of the suite",
			len(opts.Users), opts.NoAuthUser, len(opts.Nkeys), len(eventbus.Identities()))
	}
	for _, id := range eventbus.Identities() {
		i := slices.IndexFunc(opts.Nkeys, func(u *server.NkeyUser) bool { return u.Nkey == keys.PublicKey(id) })
		if i < 0 {
			t.Errorf("nats.conf has no user for %s", id)
			continue
		}
		got, want := opts.Nkeys[i].Permissions, eventbus.Permissions(id)
		if !samePerm(got.Publish, want.Publish) || !samePerm(got.Subscribe, want.Subscribe) || got.Response != nil {
			t.Errorf("nats.conf permissions of %s = %s; want %s", id, permString(got), permString(want))
		}
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
	f := func(s *server.SubjectPermission) string {
		if s == nil {
			return "-"
		}
		return "allow " + strings.Join(s.Allow, ",") + " deny " + strings.Join(s.Deny, ",")
	}
	return "publish(" + f(p.Publish) + ") subscribe(" + f(p.Subscribe) + ")"
}

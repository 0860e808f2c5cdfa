package k8s

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The suite's services (gRPC, each with its own database and NATS identity), then the others.
var (
	services  = []string{"directory", "funding", "fleet", "statistics"}
	workloads = append(slices.Clone(services), "gateway", "nats")
	// adminPorts are the ports Prometheus scrapes: the services' and gateway's /metrics, NATS's
	// monitoring endpoint.
	adminPorts = []int32{9091, 8222}
)

// workload is a Deployment or a StatefulSet, reduced to what the checks need.
type workload struct {
	name     string
	replicas int32
	pod      corev1.PodTemplateSpec
}

func (r rendered) workloads() map[string]workload {
	w := map[string]workload{}
	for _, d := range r.deployments {
		w[d.Name] = workload{d.Name, deref(d.Spec.Replicas, 1), d.Spec.Template}
	}
	for _, s := range r.statefulSets {
		w[s.Name] = workload{s.Name, deref(s.Spec.Replicas, 1), s.Spec.Template}
	}
	return w
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func selects(t *testing.T, sel *metav1.LabelSelector, pod corev1.PodTemplateSpec) bool {
	t.Helper()
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		t.Fatalf("selector %v: %v", sel, err)
	}
	return s.Matches(labels.Set(pod.Labels))
}

// TestManifests renders every overlay and checks, object by object, what an operator relies on.
func TestManifests(t *testing.T) {
	for _, dir := range overlays(t) {
		t.Run(dir, func(t *testing.T) {
			r := render(t, dir)
			ws := r.workloads()
			for _, name := range workloads {
				if _, ok := ws[name]; !ok {
					t.Errorf("no Deployment or StatefulSet %q", name)
				}
			}
			if len(ws) != len(workloads) {
				t.Errorf("workloads = %d; want %d (%v)", len(ws), len(workloads), workloads)
			}
			if n := ws["nats"].replicas; n != 3 {
				t.Errorf("NATS servers = %d; want a cluster of 3", n)
			}
			for _, w := range ws {
				checkPodSecurity(t, w)
				checkContainers(t, w)
				checkSecretsOwn(t, w)
				checkDisruptionBudget(t, r, w)
			}
			for _, s := range services {
				checkServiceSettings(t, ws[s])
			}
			checkNoSecretValues(t, r)
			checkNetworkPolicies(t, r, ws)
			checkNATSConfig(t, r, ws["nats"])
		})
	}
}

func checkPodSecurity(t *testing.T, w workload) {
	t.Helper()
	spec := w.pod.Spec
	sc := spec.SecurityContext
	if sc == nil || !deref(sc.RunAsNonRoot, false) || deref(sc.RunAsUser, 0) == 0 {
		t.Errorf("%s: pod securityContext %+v; want runAsNonRoot and a non-zero runAsUser", w.name, sc)
	}
	if sc == nil || sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: pod seccompProfile is not RuntimeDefault", w.name)
	}
	if deref(spec.AutomountServiceAccountToken, true) {
		t.Errorf("%s: mounts a service account token; none of the suite calls the Kubernetes API", w.name)
	}
	if spec.HostNetwork || spec.HostPID || spec.HostIPC {
		t.Errorf("%s: shares a host namespace", w.name)
	}
	for _, v := range spec.Volumes {
		if v.HostPath != nil {
			t.Errorf("%s: hostPath volume %q", w.name, v.Name)
		}
	}
}

func checkContainers(t *testing.T, w workload) {
	t.Helper()
	cs := append(slices.Clone(w.pod.Spec.InitContainers), w.pod.Spec.Containers...)
	if len(cs) == 0 {
		t.Fatalf("%s: no container", w.name)
	}
	for _, c := range cs {
		id := w.name + "/" + c.Name
		sc := c.SecurityContext
		switch {
		case sc == nil:
			t.Errorf("%s: no securityContext", id)
			continue
		case deref(sc.AllowPrivilegeEscalation, true):
			t.Errorf("%s: allowPrivilegeEscalation is not false", id)
		case !deref(sc.ReadOnlyRootFilesystem, false):
			t.Errorf("%s: root file system is writable", id)
		case deref(sc.Privileged, false):
			t.Errorf("%s: privileged", id)
		case sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0:
			t.Errorf("%s: capabilities %+v; want drop [ALL] and none added", id, sc.Capabilities)
		}
		req, lim := c.Resources.Requests, c.Resources.Limits
		if req.Cpu().IsZero() || req.Memory().IsZero() || lim.Memory().IsZero() {
			t.Errorf("%s: resources %+v; want CPU and memory requests and a memory limit", id, c.Resources)
		} else if lim.Memory().Cmp(*req.Memory()) < 0 {
			t.Errorf("%s: memory limit %v below its request %v", id, lim.Memory(), req.Memory())
		}
		if strings.HasSuffix(c.Image, ":latest") {
			t.Errorf("%s: image %s: latest is not a version", id, c.Image)
		}
		if c.LivenessProbe == nil || c.ReadinessProbe == nil || c.StartupProbe == nil {
			t.Errorf("%s: probes liveness=%v readiness=%v startup=%v; want all three", id,
				c.LivenessProbe != nil, c.ReadinessProbe != nil, c.StartupProbe != nil)
			continue
		}
		if slices.Contains(services, w.name) {
			for kind, p := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe, "startup": c.StartupProbe} {
				if p.GRPC == nil || p.GRPC.Port != 9090 || deref(p.GRPC.Service, "") != "" {
					t.Errorf("%s: %s probe %+v; want kubelet's gRPC probe of the server's overall health on 9090", id, kind, p.ProbeHandler)
				}
			}
		}
	}
}

// checkSecretsOwn: a pod reads only its own Secret, vif-<name>.
func checkSecretsOwn(t *testing.T, w workload) {
	t.Helper()
	own := "vif-" + w.name
	for _, v := range w.pod.Spec.Volumes {
		if v.Secret != nil && v.Secret.SecretName != own {
			t.Errorf("%s: mounts Secret %q; want only its own, %s", w.name, v.Secret.SecretName, own)
		}
	}
	for _, c := range w.pod.Spec.Containers {
		for _, e := range c.Env {
			if ref := e.ValueFrom; ref != nil && ref.SecretKeyRef != nil && ref.SecretKeyRef.Name != own {
				t.Errorf("%s: %s reads Secret %q; want only its own, %s", w.name, e.Name, ref.SecretKeyRef.Name, own)
			}
		}
		for _, e := range c.EnvFrom {
			if e.SecretRef != nil {
				t.Errorf("%s: takes its whole environment from Secret %q", w.name, e.SecretRef.Name)
			}
		}
	}
}

func env(c corev1.Container, name string) (corev1.EnvVar, bool) {
	i := slices.IndexFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == name })
	if i < 0 {
		return corev1.EnvVar{}, false
	}
	return c.Env[i], true
}

// checkServiceSettings: the stream on the three NATS servers, the database URL and the NATS seed
// from the service's own Secret, and the seed file really mounted from it.
func checkServiceSettings(t *testing.T, w workload) {
	t.Helper()
	c := w.pod.Spec.Containers[0]
	if e, _ := env(c, "VIF_STREAM_REPLICAS"); e.Value != "3" {
		t.Errorf("%s: VIF_STREAM_REPLICAS = %q; want 3", w.name, e.Value)
	}
	if e, _ := env(c, "VIF_DATABASE_URL"); e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
		t.Errorf("%s: VIF_DATABASE_URL is not read from a Secret", w.name)
	}
	creds, _ := env(c, "VIF_NATS_CREDS")
	mounted := false
	for _, m := range c.VolumeMounts {
		i := slices.IndexFunc(w.pod.Spec.Volumes, func(v corev1.Volume) bool { return v.Name == m.Name })
		if i >= 0 && w.pod.Spec.Volumes[i].Secret != nil && strings.HasPrefix(creds.Value, m.MountPath+"/") {
			mounted = true
			if mode := deref(w.pod.Spec.Volumes[i].Secret.DefaultMode, 0o644); mode&0o007 != 0 {
				t.Errorf("%s: the NATS seed is readable by others (mode %#o)", w.name, mode)
			}
		}
	}
	if !mounted {
		t.Errorf("%s: VIF_NATS_CREDS=%q is not in a mounted Secret", w.name, creds.Value)
	}
}

func checkNoSecretValues(t *testing.T, r rendered) {
	t.Helper()
	for _, s := range r.secrets {
		t.Errorf("Secret %s is in the manifests (%d keys); Secrets are the operator's, never in the repository", s.Name, len(s.Data)+len(s.StringData))
	}
}

// checkDisruptionBudget: each workload has a budget that lets a node drain go on (one pod at a
// time) whatever its number of replicas.
func checkDisruptionBudget(t *testing.T, r rendered, w workload) {
	t.Helper()
	n := 0
	for _, p := range r.pdbs {
		if !selects(t, p.Spec.Selector, w.pod) {
			continue
		}
		n++
		if p.Spec.MaxUnavailable == nil || p.Spec.MaxUnavailable.IntValue() < 1 {
			t.Errorf("%s: PodDisruptionBudget %s %+v; want maxUnavailable 1 (a drain goes on, one pod at a time)", w.name, p.Name, p.Spec)
		}
	}
	if n != 1 {
		t.Errorf("%s: %d PodDisruptionBudgets; want 1", w.name, n)
	}
}

// peer is where traffic may come from or go to, as the checks see it.
type peer struct {
	pods      string // the workload selected in this namespace, "" if none
	namespace string // another namespace, by name
	cidr      string
	any       bool
}

func (p peer) String() string {
	switch {
	case p.any:
		return "anywhere"
	case p.cidr != "":
		return p.cidr
	case p.namespace != "":
		return "namespace " + p.namespace + " " + p.pods
	default:
		return p.pods
	}
}

type flow struct {
	peer peer
	port int32
}

func (f flow) String() string { return fmt.Sprintf("%v:%d", f.peer, f.port) }

// flows lists each (peer, port) a policy rule allows; peers naming pods are resolved to the
// workloads they select.
func flows(t *testing.T, ws map[string]workload, peers []networkingv1.NetworkPolicyPeer, ports []networkingv1.NetworkPolicyPort) []flow {
	t.Helper()
	var ps []peer
	if len(peers) == 0 {
		ps = []peer{{any: true}}
	}
	for _, p := range peers {
		switch {
		case p.IPBlock != nil:
			ps = append(ps, peer{cidr: p.IPBlock.CIDR})
		case p.NamespaceSelector != nil:
			ns := p.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]
			if ns == "" || len(p.NamespaceSelector.MatchLabels) != 1 || len(p.NamespaceSelector.MatchExpressions) != 0 {
				t.Errorf("namespace selector %v: want one namespace by name", p.NamespaceSelector)
			}
			pods := ""
			if p.PodSelector != nil {
				pods = labels.Set(p.PodSelector.MatchLabels).String()
			}
			ps = append(ps, peer{namespace: ns, pods: pods})
		case p.PodSelector != nil:
			n := 0
			for name, w := range ws {
				if selects(t, p.PodSelector, w.pod) {
					ps = append(ps, peer{pods: name})
					n++
				}
			}
			if n == 0 {
				t.Errorf("pod selector %v selects no workload", p.PodSelector)
			}
		}
	}
	if len(ports) == 0 {
		t.Errorf("a rule for %v opens every port", ps)
	}
	var fs []flow
	for _, p := range ps {
		for _, port := range ports {
			if port.Port == nil || port.Port.Type != intstr.Int || port.EndPort != nil {
				t.Errorf("rule for %v: port %v; want one numbered port", p, port.Port)
				continue
			}
			fs = append(fs, flow{p, port.Port.IntVal})
		}
	}
	return fs
}

var dns = []flow{{peer{namespace: "kube-system", pods: "k8s-app=kube-dns"}, 53}}

func checkNetworkPolicies(t *testing.T, r rendered, ws map[string]workload) {
	t.Helper()
	denyAll := false
	ingress := map[string][]flow{}
	egress := map[string][]flow{}
	own := map[string]int{} // the policies that select one workload each
	for _, p := range r.policies {
		selected := 0
		for name, w := range ws {
			if !selects(t, &p.Spec.PodSelector, w.pod) {
				continue
			}
			selected++
			if len(p.Spec.PodSelector.MatchLabels)+len(p.Spec.PodSelector.MatchExpressions) > 0 {
				own[name]++
			}
			for _, rule := range p.Spec.Ingress {
				ingress[name] = append(ingress[name], flows(t, ws, rule.From, rule.Ports)...)
			}
			for _, rule := range p.Spec.Egress {
				egress[name] = append(egress[name], flows(t, ws, rule.To, rule.Ports)...)
			}
		}
		empty := len(p.Spec.PodSelector.MatchLabels)+len(p.Spec.PodSelector.MatchExpressions) == 0
		if empty && len(p.Spec.Ingress) == 0 && len(p.Spec.Egress) == 0 &&
			slices.Contains(p.Spec.PolicyTypes, networkingv1.PolicyTypeIngress) && slices.Contains(p.Spec.PolicyTypes, networkingv1.PolicyTypeEgress) {
			denyAll = true
		}
		for _, rule := range p.Spec.Egress {
			for _, to := range rule.To {
				if to.IPBlock != nil && (empty || selected != 1) {
					t.Errorf("NetworkPolicy %s opens %s to %d workloads; a database address is for one service", p.Name, to.IPBlock.CIDR, selected)
				}
			}
		}
	}
	if !denyAll {
		t.Error("no default-deny NetworkPolicy (every pod, Ingress and Egress, no rule)")
	}
	for _, name := range workloads {
		if own[name] == 0 {
			t.Errorf("%s: no NetworkPolicy of its own", name)
		}
	}

	// Who may call in: from outside only the gateway's API; Prometheus the admin ports.
	for name, fs := range ingress {
		for _, f := range fs {
			switch {
			case f.peer.any:
				if name != "gateway" || f.port != 8080 {
					t.Errorf("%s: reachable from anywhere on %d; only the gateway's API (8080) is", name, f.port)
				}
			case f.peer.cidr != "":
				t.Errorf("%s: reachable from %s", name, f.peer.cidr)
			case f.peer.namespace != "":
				if f.peer.namespace != "monitoring" || !slices.Contains(adminPorts, f.port) {
					t.Errorf("%s: reachable from %v on %d; want only the monitoring namespace on an admin port", name, f.peer, f.port)
				}
			}
		}
	}
	wantIn := map[string][]flow{
		"directory": {{peer{pods: "gateway"}, 9090}, {peer{pods: "funding"}, 9090}, {peer{pods: "fleet"}, 9090}, {peer{pods: "statistics"}, 9090}},
		"nats":      {{peer{pods: "directory"}, 4222}, {peer{pods: "funding"}, 4222}, {peer{pods: "fleet"}, 4222}, {peer{pods: "statistics"}, 4222}, {peer{pods: "nats"}, 6222}},
		"gateway":   {{peer{any: true}, 8080}},
	}
	for _, s := range services[1:] {
		wantIn[s] = []flow{{peer{pods: "gateway"}, 9090}}
	}
	for name, want := range wantIn {
		got := slices.DeleteFunc(slices.Clone(ingress[name]), func(f flow) bool { return f.peer.namespace == "monitoring" })
		checkFlows(t, name+" ingress", got, want)
	}

	// Whom each may call: the services NATS, the directory where they call it, their database.
	wantOut := map[string][]flow{
		"gateway": append(slices.Clone(dns), flow{peer{pods: "directory"}, 9090}, flow{peer{pods: "funding"}, 9090}, flow{peer{pods: "fleet"}, 9090}, flow{peer{pods: "statistics"}, 9090}),
		"nats":    append(slices.Clone(dns), flow{peer{pods: "nats"}, 6222}),
	}
	for _, s := range services {
		var db []flow
		for _, f := range egress[s] {
			if f.peer.cidr != "" {
				db = append(db, f)
				checkDatabaseAddress(t, s, f)
			}
		}
		if len(db) != 1 {
			t.Errorf("%s: egress to %d address blocks %v; want its database only", s, len(db), db)
		}
		want := append(slices.Clone(dns), flow{peer{pods: "nats"}, 4222})
		if s != "directory" {
			want = append(want, flow{peer{pods: "directory"}, 9090})
		}
		wantOut[s] = append(want, db...)
	}
	for name, want := range wantOut {
		checkFlows(t, name+" egress", egress[name], want)
	}
}

func checkDatabaseAddress(t *testing.T, service string, f flow) {
	t.Helper()
	p, err := netip.ParsePrefix(f.peer.cidr)
	if err != nil || p.Bits() == 0 || f.port != 5432 {
		t.Errorf("%s: database egress %v; want a PostgreSQL address block on 5432, not the whole Internet", service, f)
	}
}

func checkFlows(t *testing.T, what string, got, want []flow) {
	t.Helper()
	key := func(fs []flow) []string {
		var s []string
		for _, f := range fs {
			s = append(s, f.String())
		}
		slices.Sort(s)
		return slices.Compact(s)
	}
	if g, w := key(got), key(want); !slices.Equal(g, w) {
		t.Errorf("%s = %v; want %v", what, g, w)
	}
}

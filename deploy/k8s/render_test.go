package k8s

import (
	"os"
	"path/filepath"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// scheme knows the API groups the manifests may use, and no other: an object of any other kind
// (a custom resource the cluster might lack) fails to decode.
var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, policyv1.AddToScheme,
		networkingv1.AddToScheme, autoscalingv2.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}()

// strict rejects unknown and duplicate fields, as the API server's strict field validation does.
var strict = serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()

// overlays lists deploy/k8s/overlays/*: every one is rendered and checked.
func overlays(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join("overlays", "*", "kustomization.yaml"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no overlay under overlays/ (%v)", err)
	}
	for i, d := range dirs {
		dirs[i] = filepath.Dir(d)
	}
	return dirs
}

// rendered is one overlay's objects, decoded, by kind.
type rendered struct {
	all          []runtime.Object
	deployments  []*appsv1.Deployment
	statefulSets []*appsv1.StatefulSet
	services     []*corev1.Service
	configMaps   []*corev1.ConfigMap
	secrets      []*corev1.Secret
	pdbs         []*policyv1.PodDisruptionBudget
	policies     []*networkingv1.NetworkPolicy
}

// render runs kustomize (the library kubectl embeds, at the version of kubectl 1.32's kustomize
// v5.5.0) on dir and decodes every object strictly with the official Kubernetes types.
func render(t *testing.T, dir string) rendered {
	t.Helper()
	opts := krusty.MakeDefaultOptions()
	resources, err := krusty.MakeKustomizer(opts).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	var r rendered
	for _, res := range resources.Resources() {
		js, err := res.MarshalJSON()
		if err != nil {
			t.Fatalf("%s: %s: %v", dir, res.CurId(), err)
		}
		obj, _, err := strict.Decode(js, nil, nil)
		if err != nil {
			t.Errorf("%s: %s does not decode strictly as a Kubernetes object: %v", dir, res.CurId(), err)
			continue
		}
		r.all = append(r.all, obj)
		switch o := obj.(type) {
		case *appsv1.Deployment:
			r.deployments = append(r.deployments, o)
		case *appsv1.StatefulSet:
			r.statefulSets = append(r.statefulSets, o)
		case *corev1.Service:
			r.services = append(r.services, o)
		case *corev1.ConfigMap:
			r.configMaps = append(r.configMaps, o)
		case *corev1.Secret:
			r.secrets = append(r.secrets, o)
		case *policyv1.PodDisruptionBudget:
			r.pdbs = append(r.pdbs, o)
		case *networkingv1.NetworkPolicy:
			r.policies = append(r.policies, o)
		}
	}
	return r
}

// TestStrictDecodingCatchesATypo proves the decoder is strict: a misspelt field, which the API
// server would drop or refuse, fails here.
func TestStrictDecodingCatchesATypo(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("kustomization.yaml", "resources: [pdb.yaml]\n")
	write("pdb.yaml", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: x}\n"+
		"spec: {maxUnavailabe: 1, selector: {matchLabels: {a: b}}}\n")
	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatal(err)
	}
	js, err := resources.Resources()[0].MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := strict.Decode(js, nil, nil); err == nil || !runtime.IsStrictDecodingError(err) {
		t.Errorf("strict decode of a PDB with maxUnavailabe = %v; want a strict decoding error", err)
	}
}

// Package k8s holds the Kubernetes manifests of the distributed shape (base/ and overlays/, for
// kustomize) and the test that renders every overlay and checks each object strictly against
// the official API types and the suite's rules. It is its own module so that the Kubernetes
// libraries the test needs are built only for it.
package k8s

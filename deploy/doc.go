// Package deploy holds what runs the distributed shape outside the embedded default: the
// Dockerfile, the NATS and PostgreSQL configuration, the Kubernetes manifests (k8s/), and the
// tests that check them and ../docker-compose.yml. It is its own module so that the libraries
// those tests need (compose-go, kustomize, the Kubernetes API types) are built only for them.
package deploy

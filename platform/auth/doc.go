// Package auth authenticates the callers of every vif gRPC service with bearer JWTs,
// decides by a per-method policy which roles may call what, and writes the audit trail.
//
// Tokens are signed with Ed25519 (alg EdDSA): the service that issues tokens holds the
// private key, every other service only the public key, so a compromised reader cannot mint
// tokens. The claims carry a role and, for scoped roles, the network or organisation the
// bearer acts for; handlers read them with FromContext, and each domain checks scope with its
// own Actor (e.g. the directory's CanEditNetwork).
package auth

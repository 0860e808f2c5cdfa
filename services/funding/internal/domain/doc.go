// Package domain holds the funding service's rules: how the yearly cost of an ISCG post is shared
// between the State, the Département and the EPCIs, in exact integer cents. It knows nothing of
// SQL, protobuf or gRPC.
package domain

// Package domain holds the directory's entities (organisations, network members), their rules,
// its errors and the ports it needs (the repository, the referential). It knows nothing of SQL,
// protobuf or gRPC.
package domain

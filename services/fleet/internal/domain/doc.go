// Package domain holds the fleet service's rules: the life of a vehicle, the workflow of a
// cession from proposal to declaration, and the ports the service needs. It knows nothing of SQL,
// protobuf or gRPC.
package domain

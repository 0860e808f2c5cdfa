package main

// defaultAddr is where the gateway looks for a service nobody configured: the embedded default's
// gRPC server, which hosts them all.
const defaultAddr = "127.0.0.1:9090"

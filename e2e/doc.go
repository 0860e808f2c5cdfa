// Package e2e holds the tests that run the suite the way it is deployed: the distributed shape,
// each service its own process against a standalone NATS server and PostgreSQL.
package e2e

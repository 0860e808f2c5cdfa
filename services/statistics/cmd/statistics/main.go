// Command statistics runs the statistics service as its own process (the distributed shape):
// gRPC on --grpc-addr, metrics and health on --admin-addr, state in PostgreSQL (or a SQLite
// file), events through NATS JetStream, and the directory reached at --directory-addr. The
// threshold of disclosure control comes from VIF_DISCLOSURE_THRESHOLD (5 by default). See --help.
package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/vif71/vif/platform/daemon"
	"github.com/vif71/vif/services/statistics"
)

func main() { daemon.Main("statistics", run) }

func run(ctx context.Context, args []string, getenv func(string) string) error {
	threshold, err := disclosureThreshold(getenv)
	if err != nil {
		return err
	}
	return daemon.Run(ctx, "statistics", args, getenv, []string{"directory"}, statistics.Builder(threshold))
}

// disclosureThreshold reads VIF_DISCLOSURE_THRESHOLD: a whole number of at least 1, or unset for the
// default.
func disclosureThreshold(getenv func(string) string) (int64, error) {
	v := getenv("VIF_DISCLOSURE_THRESHOLD")
	if v == "" {
		return statistics.DefaultThreshold, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("VIF_DISCLOSURE_THRESHOLD=%q: want a whole number of at least 1", v)
	}
	return n, nil
}

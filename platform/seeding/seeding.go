// Package seeding runs a service's default data set in the background. A seed that needs another
// service (the directory) waits for it: in the embedded default that service is served by the
// same process, which starts serving only after every service is built; in the distributed shape
// it may simply start later.
package seeding

import (
	"context"
	"log/slog"
	"time"
)

// Run calls seed until it succeeds or fails for a reason retrying cannot fix. Failures that
// retryable accepts (an unavailable dependency) are retried with a growing pause (up to 5 s);
// others are logged and end the attempt: they are bugs in the seed, not outages. Run returns nil
// when ctx ends, so it can run beside a server in an errgroup without stopping it.
func Run(ctx context.Context, log *slog.Logger, seed func(context.Context) (bool, error), retryable func(error) bool) error {
	wait := 200 * time.Millisecond
	for {
		seeded, err := seed(ctx)
		switch {
		case err == nil:
			if seeded {
				log.Info("seeded the default data set")
			}
			return nil
		case ctx.Err() != nil:
			return nil
		case retryable(err):
			log.Info("seed waits for a dependency", "err", err, "retry_in", wait)
		default:
			log.Error("seed failed", "err", err)
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

package grpcserver

import "sync"

// workers is a pool of long-lived goroutines that run the in-process channel's unary calls
// through the interceptor chain (inProcess.Invoke), while the caller waits for the call or for
// its own deadline, so that the deadline and cancellation end the call even when its handler
// does not return. A goroutine per call would grow its stack again on every call through the
// chain (its deepest point is the rpc log line's float, which slog writes through
// encoding/json), copying it each time (runtime.newstack, a third of the in-process handler's
// CPU); a worker's stack has grown once, as grpc.NumStreamWorkers does for calls over the
// network. When every worker is busy, the call runs in a goroutine of its own. The workers
// start with the first call and end when the server stops.
type workers struct {
	n     int
	start sync.Once
	jobs  chan func()
	stop  chan struct{}
	ended sync.Once
}

func newWorkers(n int) *workers {
	return &workers{n: n, jobs: make(chan func()), stop: make(chan struct{})}
}

func (w *workers) serve() {
	for {
		select {
		case f := <-w.jobs:
			f()
		case <-w.stop:
			return
		}
	}
}

// run runs f on a free worker, or in a new goroutine when none is free (or the pool stopped).
func (w *workers) run(f func()) {
	w.start.Do(func() {
		for range w.n {
			go w.serve()
		}
	})
	select {
	case w.jobs <- f:
	default:
		go f()
	}
}

// close ends the workers; later calls run in goroutines of their own.
func (w *workers) close() { w.ended.Do(func() { close(w.stop) }) }

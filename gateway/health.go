package gateway

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// healthTimeout bounds the check of each backend; they are checked in parallel.
const healthTimeout = 2 * time.Second

type healthCheck struct {
	name    string
	service string
	client  healthpb.HealthClient
}

func newHealthCheck(b Backend, conn grpc.ClientConnInterface) healthCheck {
	return healthCheck{name: b.Name, service: b.Service, client: healthpb.NewHealthClient(conn)}
}

// state is the backend's serving status (SERVING, NOT_SERVING, SERVICE_UNKNOWN…) or, when the
// check itself failed, the gRPC code of the failure (UNAVAILABLE, DEADLINE_EXCEEDED,
// UNIMPLEMENTED for a server without the health service). Only the names go to the caller, who
// needs no credentials; the errors go to the log.
func (c healthCheck) state(ctx context.Context, log *slog.Logger) (string, bool) {
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	resp, err := c.client.Check(ctx, &healthpb.HealthCheckRequest{Service: c.service})
	if err != nil {
		st := status.Convert(err)
		log.WarnContext(ctx, "health check failed", "backend", c.name, "err", st.Message())
		return code.Code(st.Code()).String(), false
	}
	return resp.GetStatus().String(), resp.GetStatus() == healthpb.HealthCheckResponse_SERVING
}

type healthReport struct {
	Status   string            `json:"status"` // "ok" or "unavailable"
	Backends map[string]string `json:"backends"`
}

// healthzHandler answers 200 when every backend serves, 503 otherwise. It checks the backends,
// so it is a readiness probe: as a liveness probe it would restart the gateway for a backend's
// outage.
func healthzHandler(checks []healthCheck, log *slog.Logger) runtime.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ map[string]string) {
		report := healthReport{Status: "ok", Backends: make(map[string]string, len(checks))}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, c := range checks {
			wg.Go(func() {
				state, ok := c.state(r.Context(), log)
				mu.Lock()
				defer mu.Unlock()
				report.Backends[c.name] = state
				if !ok {
					report.Status = "unavailable"
				}
			})
		}
		wg.Wait()

		code := http.StatusOK
		if report.Status != "ok" {
			code = http.StatusServiceUnavailable
		}
		buf, _ := json.Marshal(report)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(code)
		_, _ = w.Write(append(buf, '\n'))
	}
}

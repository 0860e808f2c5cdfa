package gateway

import (
	"net/http"
	"testing"
)

// TestUnavailableAnswersRetryAfter: a 503 tells the client when to retry: the delay of the
// service's google.rpc.RetryInfo, rounded up to whole seconds, or one second when the gateway
// cannot reach the backend at all.
func TestUnavailableAnswersRetryAfter(t *testing.T) {
	env := newGateway(t, nil)
	resp, b := env.do(t, "GET", "/v1/networks/database-down", nil, nil)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "3" {
		t.Errorf("GET with the service's database down = %d, Retry-After %q, %s; want 503 with Retry-After 3",
			resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}

	down := newGateway(t, func(o *Options) { o.Backends = []Backend{directoryBackend(closedAddr(t))} })
	resp, b = down.do(t, "GET", "/v1/networks/chalonnais", nil, nil)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("GET with the backend down = %d, Retry-After %q, %s; want 503 with Retry-After 1",
			resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}
}

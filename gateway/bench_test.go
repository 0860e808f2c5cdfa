package gateway

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	directoryv1 "github.com/vif71/vif/proto/gen/go/vif/directory/v1"
)

// BenchmarkGetNetwork is what the gateway itself costs a REST read, without a network or HTTP
// parsing: GET /v1/networks/chalonnais handed to the gateway's handler, which calls a real
// grpcserver (its whole chain) in process, both logging at info level into a discarded handler
// as `vif serve` logs; beside it, its floor: the same GetNetwork on the server's in-process
// channel, the chain without the gateway. ns/op and allocs/op of gateway minus in-process are
// the gateway's: `go test -run '^$' -bench GetNetwork -benchmem -cpu 1 ./gateway/`, where on
// one CPU no idle processor is woken by the in-process call's hand-off and ns/op is CPU time.
func BenchmarkGetNetwork(b *testing.B) {
	env := newInProcessGatewayLogging(b, nil, slog.New(slog.NewJSONHandler(io.Discard, nil)), nil)
	b.Run("gateway", func(b *testing.B) {
		b.ReportAllocs()
		// One request, cloned for each call (the server reads a new one from the connection; a
		// fresh httptest.NewRequest would count its 4 KiB reader).
		req := httptest.NewRequest(http.MethodGet, "/v1/networks/chalonnais", nil)
		for b.Loop() {
			w := httptest.NewRecorder()
			env.handler.ServeHTTP(w, req.Clone(req.Context()))
			if w.Code != http.StatusOK {
				b.Fatalf("GET = %d %s", w.Code, w.Body)
			}
		}
	})
	b.Run("in-process", func(b *testing.B) {
		b.ReportAllocs()
		client := directoryv1.NewDirectoryServiceClient(env.conn)
		ctx := context.Background()
		for b.Loop() {
			if _, err := client.GetNetwork(ctx, &directoryv1.GetNetworkRequest{Name: "networks/chalonnais"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

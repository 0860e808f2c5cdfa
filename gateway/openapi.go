package gateway

import (
	_ "embed"
	"net/http"
	"strconv"
)

// openAPI is the OpenAPI 3 description of the API (make generate: protoc-gen-openapi, then cmd/openapigen).
//
//go:embed openapi/openapi.json
var openAPI []byte

func serveOpenAPI(w http.ResponseWriter, _ *http.Request, _ map[string]string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(openAPI)))
	// It changes with the binary only; "no-cache" makes clients revalidate rather than guess.
	h.Set("Cache-Control", "no-cache")
	_, _ = w.Write(openAPI)
}

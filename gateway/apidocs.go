package gateway

import (
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
)

// apiDocs is the API reference page: Swagger UI (copied from npm swagger-ui-dist by
// web/scripts/vendor-apidocs.mjs) on /openapi.json, served from the binary.
//
//go:embed apidocs
var apiDocs embed.FS

// apiDocsPolicy lets the page load only its own files and call only this origin. Swagger UI sets
// inline styles, hence style-src 'unsafe-inline'; no inline script runs.
const apiDocsPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

func registerAPIDocs(mux *runtime.ServeMux) error {
	files, err := fs.Sub(apiDocs, "apidocs")
	if err != nil {
		return err
	}
	serve := func(w http.ResponseWriter, r *http.Request, name string) {
		b, err := fs.ReadFile(files, name)
		if err != nil {
			routingErrorHandler(r.Context(), nil, nil, w, r, http.StatusNotFound)
			return
		}
		h := w.Header()
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			ct = "text/plain; charset=utf-8"
		}
		h.Set("Content-Type", ct)
		h.Set("Content-Length", strconv.Itoa(len(b)))
		h.Set("Content-Security-Policy", apiDocsPolicy)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		_, _ = w.Write(b)
	}
	if err := mux.HandlePath(http.MethodGet, "/docs", func(w http.ResponseWriter, r *http.Request, _ map[string]string) {
		serve(w, r, "index.html")
	}); err != nil {
		return err
	}
	return mux.HandlePath(http.MethodGet, "/docs/{file=**}", func(w http.ResponseWriter, r *http.Request, p map[string]string) {
		name := path.Clean(p["file"])
		if name == "." || name == "index.html" {
			name = "index.html"
		}
		serve(w, r, name)
	})
}

package gateway

import (
	"embed"
	"encoding/json"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
)

// consoleFiles is the web console, built by Vite from web/ (`make web`) and committed, so that
// `go run ./cmd/vif` serves it on a machine without Node. It calls the API under /v1 on this
// origin; /v1, /docs, /openapi.json and /healthz are not its paths.
//
//go:embed console
var consoleFiles embed.FS

// consolePages are the console's pages (web/src/lib/router.svelte.ts): each answers the console's
// index.html, whose script shows the page of the path, so that a page can be bookmarked and
// reloaded. Any other path stays the API's 404.
var consolePages = []string{"/", "/reseaux", "/reseaux/{network}", "/statistiques", "/membres"}

// consolePolicy lets the console run only its own script and style files, load its own fonts and
// images (and the DSFR's data: URI icons), and call only this origin and its sign-in provider's
// (the token endpoint); it cannot be framed, and sends no referrer. No inline script, no inline
// style, no other origin.
func consolePolicy(issuer string) string {
	connect := "'self'"
	if u, err := url.Parse(issuer); err == nil && u.Scheme != "" && u.Host != "" {
		connect += " " + u.Scheme + "://" + u.Host
	}
	return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src " + connect + "; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
}

// consoleConfig is /console/config.json: what the console needs to know of this instance, so
// that no URL is built into its bundle.
type consoleConfig struct {
	// Issuer is the OpenID provider to sign in with; empty: no sign-in.
	Issuer string `json:"issuer"`
	// ClientID is the console's OAuth client (public, PKCE).
	ClientID string `json:"clientId"`
}

func registerConsole(mux *runtime.ServeMux, issuer string) error {
	files, err := fs.Sub(consoleFiles, "console")
	if err != nil {
		return err
	}
	policy := consolePolicy(issuer)
	config, err := json.Marshal(consoleConfig{Issuer: issuer, ClientID: "vif-console"})
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
			ct = "application/octet-stream"
		}
		h.Set("Content-Type", ct)
		h.Set("Content-Length", strconv.Itoa(len(b)))
		h.Set("Content-Security-Policy", policy)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		// Revalidated with the ETag that representation sets (a 304 costs no body).
		h.Set("Cache-Control", "no-cache")
		_, _ = w.Write(b)
	}
	for _, p := range consolePages {
		if err := mux.HandlePath(http.MethodGet, p, func(w http.ResponseWriter, r *http.Request, _ map[string]string) {
			serve(w, r, "index.html")
		}); err != nil {
			return err
		}
	}
	if err := mux.HandlePath(http.MethodGet, "/console/config.json", func(w http.ResponseWriter, r *http.Request, _ map[string]string) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(config)))
		h.Set("Cache-Control", "no-cache")
		_, _ = w.Write(config)
	}); err != nil {
		return err
	}
	return mux.HandlePath(http.MethodGet, "/assets/{file=**}", func(w http.ResponseWriter, r *http.Request, p map[string]string) {
		name := path.Clean("/" + p["file"])
		serve(w, r, "assets"+name)
	})
}

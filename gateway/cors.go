package gateway

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"google.golang.org/grpc/codes"
)

// ReasonOriginNotAllowed is the ErrorInfo reason of a CORS preflight from an origin the gateway
// does not serve.
const ReasonOriginNotAllowed = "ORIGIN_NOT_ALLOWED"

// What a cross-origin web client may send and read. Authorization carries the bearer token;
// If-Match and If-None-Match make conditional requests; X-Request-Id follows a call across the
// services. ETag, Location, Retry-After and X-Request-Id are the response headers a client uses.
const (
	corsMethods       = "GET, HEAD, POST, PATCH, DELETE"
	corsHeaders       = "Authorization, Content-Type, If-Match, If-None-Match, X-Request-Id"
	corsExposeHeaders = "ETag, Location, Retry-After, X-Request-Id"
	corsMaxAge        = "600"
)

// parseOrigins checks the allow-list of origins: each an absolute http or https origin, with no
// path, query or fragment ("https://console.departement71.fr", "http://localhost:5173").
func parseOrigins(origins []string) (map[string]bool, error) {
	allowed := map[string]bool{}
	for _, o := range origins {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return nil, fmt.Errorf("gateway: CORS origin %q: want scheme://host[:port], e.g. https://console.example.fr", o)
		}
		allowed[u.Scheme+"://"+strings.ToLower(u.Host)] = true
	}
	return allowed, nil
}

// cors answers the CORS protocol for the origins in allowed: a preflight (OPTIONS with
// Access-Control-Request-Method) from one of them gets 204 with the methods and headers the API
// takes; its other requests get Access-Control-Allow-Origin. A preflight from any other origin
// gets 403, and its other requests go on without CORS headers, so the browser keeps their answer
// from the page. With an empty list, only same-origin pages (which need no CORS) use the API.
func cors(next http.Handler, allowed map[string]bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if origin == "" || !allowed[strings.ToLower(origin)] {
			if preflight {
				writeStatus(w, r, http.StatusForbidden, withInfo(codes.PermissionDenied, ReasonOriginNotAllowed,
					fmt.Sprintf("origin %q may not call this API from a browser", origin), nil))
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		if preflight {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			h.Set("Access-Control-Allow-Methods", corsMethods)
			h.Set("Access-Control-Allow-Headers", corsHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		next.ServeHTTP(w, r)
	})
}

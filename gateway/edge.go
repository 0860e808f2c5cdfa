package gateway

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vif71/vif/platform/apierr"
	"github.com/vif71/vif/platform/validation"
)

// ErrorInfo reasons of the requests the gateway refuses before calling a service.
const (
	// ReasonInvalidArgument is the reason of a bad field, parameter or path segment, with a
	// google.rpc.BadRequest naming it: the services' reason for the same fault.
	ReasonInvalidArgument = "INVALID_ARGUMENT"
	// ReasonMalformedQuery is a query string that is not URL-encoded properly.
	ReasonMalformedQuery = "MALFORMED_QUERY"
	// ReasonMalformedRequest is a request grpc-gateway could not decode for a reason the checks
	// before it did not foresee (a oneof set twice, a field given twice).
	ReasonMalformedRequest = "MALFORMED_REQUEST"
)

// invalid is the InvalidArgument status of the violations, in the services' shape: an
// ErrorInfo with reason INVALID_ARGUMENT and a BadRequest listing each field.
func invalid(bad []fieldViolation) *status.Status {
	vs := make([]validation.Violation, len(bad))
	for i, b := range bad {
		// A name the client wrote in bytes that are not UTF-8 is shown with U+FFFD: a protobuf
		// string (the BadRequest detail) must be UTF-8.
		vs[i] = validation.Violation{Field: strings.ToValidUTF8(b.field, "\uFFFD"), Description: b.description}
	}
	return status.Convert(apierr.InvalidArgument((&validation.Error{Violations: vs}).Error(), vs))
}

// probeKey marks a request the gateway sends through its own mux only to learn which route
// matches it: the edge's middleware (routed) and the routing error handler record what they find and
// answer nothing.
type probeKey struct{}

type probe struct {
	matched    bool
	route      *route
	pathParams map[string]string
}

func probeFrom(ctx context.Context) *probe {
	p, _ := ctx.Value(probeKey{}).(*probe)
	return p
}

// edge checks a request once grpc-gateway has routed it and before the generated handler
// decodes it: the path segments, the query parameters and the body, each named as the client
// wrote it when it is wrong. It also turns a custom verb that no route has into a 404.
type edge struct {
	routes routeTable
	mux    *runtime.ServeMux
	audit  *edgeAudit
}

// routed is the mux's one middleware: once grpc-gateway has matched a route, it writes the
// route's template once ("/v1/{name=networks/*}"), gives it to the metrics and the span first,
// so that a call the edge refuses counts too, then runs the edge's checks. A probe (probeRoute)
// names nothing: the request it was sent for did not match that route.
func (e *edge) routed(next runtime.HandlerFunc) runtime.HandlerFunc {
	check := e.check(next)
	// The mux wraps each route's handler in a middleware of its own, so this one only ever sees
	// one pattern: its template is written at the first call and kept (Pattern.String builds
	// it anew each time, a microsecond of every REST request).
	var written atomic.Pointer[string]
	return func(w http.ResponseWriter, r *http.Request, pathParams map[string]string) {
		pat, _ := runtime.HTTPPattern(r.Context())
		t := written.Load()
		if t == nil {
			s := pat.String()
			t = &s
			written.Store(t)
		}
		template := *t
		if info := infoFrom(r.Context()); info != nil && probeFrom(r.Context()) == nil {
			info.template = template
			nameSpan(r, template)
		}
		check(w, r, pat, template, pathParams)
	}
}

// check is the edge's checks of a request routed to pat, whose template is template.
func (e *edge) check(next runtime.HandlerFunc) func(http.ResponseWriter, *http.Request, runtime.Pattern, string, map[string]string) {
	return func(w http.ResponseWriter, r *http.Request, pat runtime.Pattern, template string, pathParams map[string]string) {
		rt := e.routes.lookup(r.Method, template)
		// A resource id never holds a colon: /v1/networks/chalonnais:pdf asks for a method
		// "pdf" that does not exist, not for a network "chalonnais:pdf".
		unknownVerb := pat.Verb() == "" && strings.Contains(lastSegment(r.URL.EscapedPath()), ":")
		if p := probeFrom(r.Context()); p != nil {
			p.matched, p.route, p.pathParams = !unknownVerb, rt, pathParams
			return
		}
		if rt == nil { // /healthz, /openapi.json
			next(w, r, pathParams)
			return
		}
		if info := infoFrom(r.Context()); info != nil {
			info.route, info.pathParams = rt, pathParams
		}
		if unknownVerb {
			e.reject(w, r, http.StatusNotFound, routeNotFound(r))
			return
		}
		if bad := checkPath(rt, pathParams); bad != nil {
			e.reject(w, r, http.StatusBadRequest, invalid(bad))
			return
		}
		values, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			e.reject(w, r, http.StatusBadRequest, withInfo(codes.InvalidArgument, ReasonMalformedQuery,
				"the query string is not properly URL-encoded", nil))
			return
		}
		if bad := checkQuery(rt, values, pathParams); bad != nil {
			e.reject(w, r, http.StatusBadRequest, invalid(bad))
			return
		}
		if rt.body != "" && r.Body != nil && r.Body != http.NoBody {
			body, err := io.ReadAll(r.Body) // limitBody has read and bounded it already
			if err != nil {
				e.reject(w, r, http.StatusBadRequest, withInfo(codes.InvalidArgument, ReasonUnreadableBody,
					"the request body could not be read", nil))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			if bad := checkRouteBody(rt, body); bad != nil {
				e.reject(w, r, http.StatusBadRequest, invalid([]fieldViolation{*bad}))
				return
			}
		}
		next(w, r, pathParams)
	}
}

// reject answers a request the gateway refuses itself, and audits it when it was a write.
func (e *edge) reject(w http.ResponseWriter, r *http.Request, httpCode int, st *status.Status) {
	e.audit.rejected(r, st)
	writeStatus(w, r, httpCode, st)
}

// checkPath refuses a path variable that is not UTF-8 once unescaped (%ff), naming it by its
// JSON path: grpc-go would refuse to marshal the request, which reached the client as a 500.
func checkPath(rt *route, pathParams map[string]string) []fieldViolation {
	var bad []fieldViolation
	for key, v := range pathParams {
		if utf8.ValidString(v) {
			continue
		}
		name := key
		if fields := fieldByPath(rt.method.Input(), key); fields != nil {
			name = jsonPath(fields)
		}
		bad = append(bad, fieldViolation{name, "is not valid UTF-8"})
	}
	slices.SortFunc(bad, func(a, b fieldViolation) int { return strings.Compare(a.field, b.field) })
	return bad
}

func lastSegment(path string) string { return path[strings.LastIndexByte(path, '/')+1:] }

func routeNotFound(r *http.Request) *status.Status {
	return withInfo(codes.NotFound, ReasonRouteNotFound, "no route for "+r.Method+" "+r.URL.Path, nil)
}

// probeRoute sends a copy of r with another method through the mux and reports whether a
// route matches it, and which.
func probeRoute(mux *runtime.ServeMux, r *http.Request, method string) *probe {
	p := &probe{}
	pr := r.Clone(context.WithValue(r.Context(), probeKey{}, p))
	pr.Method = method
	pr.Body, pr.ContentLength = http.NoBody, 0
	mux.ServeHTTP(discardWriter{}, pr)
	return p
}

// allowed lists the methods some route takes on r's path, for the Allow header of a 405.
func allowed(mux *runtime.ServeMux, r *http.Request) []string {
	var ms []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if probeRoute(mux, r, m).matched {
			ms = append(ms, m)
		}
	}
	return ms
}

type discardWriter struct{}

func (discardWriter) Header() http.Header         { return http.Header{} }
func (discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (discardWriter) WriteHeader(int)             {}

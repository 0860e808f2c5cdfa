package gateway

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"

	"github.com/vif71/vif/platform/auth"
)

// edgeAudit writes the audit line of a write the gateway refuses itself (a body that is not
// JSON, an unknown parameter, a field of the wrong type): the service never sees such a call,
// so it cannot audit it. The caller is named from the bearer token, which the gateway verifies
// with the same public key as the services (Options.Verifier); the token is not otherwise
// trusted here, and the call goes no further.
type edgeAudit struct {
	log      *slog.Logger
	verifier *auth.Verifier
	mux      *runtime.ServeMux
}

func (a *edgeAudit) rejected(r *http.Request, st *status.Status) {
	if a == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return
	}
	var rt *route
	var params map[string]string
	if info := infoFrom(r.Context()); info != nil && info.route != nil {
		rt, params = info.route, info.pathParams
	} else if a.mux != nil {
		// Refused before routing (a body too large or not JSON): ask the mux which route it is.
		p := probeRoute(a.mux, r, r.Method)
		rt, params = p.route, p.pathParams
	}
	if rt == nil || !rt.isWrite() {
		return // no method was asked for: a 404 or a 405 writes nothing
	}
	auth.AuditRefused(r.Context(), a.log, a.caller(r), rt.fullMethod(), resourceOf(params), st.Code(), reasonOf(st))
}

// caller is the verified claims of the request's bearer token, or nil.
func (a *edgeAudit) caller(r *http.Request) *auth.Claims {
	if a.verifier == nil {
		return nil
	}
	values := r.Header.Values("Authorization")
	if len(values) != 1 {
		return nil
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(values[0]), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil
	}
	c, err := a.verifier.Verify(strings.TrimSpace(token))
	if err != nil {
		return nil
	}
	return c
}

// resourceOf is what the path of a refused request names: its resource (name, or the name of
// the resource an update carries), else its parent. A body's name is never taken.
func resourceOf(params map[string]string) string {
	pick := func(ok func(string) bool) string {
		keys := make([]string, 0, len(params))
		for k := range params {
			if ok(k) {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			if v := params[k]; v != "" && utf8.ValidString(v) {
				return v
			}
		}
		return ""
	}
	if v := pick(func(k string) bool { return k == "name" || strings.HasSuffix(k, ".name") }); v != "" {
		return v
	}
	return pick(func(k string) bool { return k == "parent" })
}

func reasonOf(st *status.Status) string {
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetReason()
		}
	}
	return ""
}

package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/grpc/codes"

	"github.com/vif71/vif/platform/requestid"
)

// requestInfo is what the gateway's layers learn about a request and share, on its context once
// (see observe): what the handlers tell the access log and the metrics, and the If-Match that the
// call to the service carries.
type requestInfo struct {
	grpcCode    codes.Code
	hasGRPCCode bool
	// route and pathParams are set once the mux has routed the request.
	route      *route
	pathParams map[string]string
	// template is the matched route's template ("/v1/{name=networks/*}"), the metrics' label;
	// "" until the mux matched one.
	template string
	// ifMatch is the If-Match a PATCH or DELETE asks for (see ifMatch).
	ifMatch string
}

type requestInfoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return info
}

// observe is the gateway's outermost layer (but tracing's). It gives the request its id (see
// requestID), bounds it with timeout, which grpc-gateway uses as the backend call's deadline,
// sets the headers every response has unless its handler says otherwise, turns a panic into a
// 500 JSON error, and once the request is answered writes its access log line and counts it in
// metrics (nil: none kept). One layer, so that one context and one copy of the request carry
// all of it.
//
// The log line has no header (the request id comes from the context): never the Authorization
// header, and no query string, where filters may carry a SIRET or a name.
func observe(next http.Handler, log *slog.Logger, metrics *httpMetrics, timeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID(r)
		h := w.Header()
		h.Set(requestid.Header, id)
		// The API serves personal data (names, e-mail addresses, phone numbers of
		// professionals), which no shared cache should keep.
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		info := &requestInfo{}
		ctx, cancel := context.WithTimeout(context.WithValue(requestid.NewContext(r.Context(), id), requestInfoKey{}, info), timeout)
		defer cancel()
		r = r.WithContext(ctx)
		rec := &recorder{ResponseWriter: w}

		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic serving request", "method", r.Method,
					"path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				if !rec.wroteHeader {
					writeStatus(rec, r, http.StatusInternalServerError,
						withInfo(codes.Internal, ReasonInternal, "internal error", nil))
				}
			}
			took := time.Since(start)
			logRequest(r, log, rec, info, took)
			if metrics != nil {
				metrics.record(r.Method, info.template, rec.statusCode(), took)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// requestID is the request's id: the client's X-Request-Id when it is fit for a log line
// (requestid.Valid), else a fresh one. The header is rewritten with it, so that the service
// receives it as x-request-id metadata (incomingHeader forwards that header only).
func requestID(r *http.Request) string {
	sent := r.Header.Values(requestid.Header)
	id := ""
	if len(sent) == 1 {
		id = sent[0]
	}
	id = requestid.OrNew(id)
	if len(sent) != 1 || sent[0] != id {
		r.Header.Set(requestid.Header, id)
	}
	return id
}

// logRequest writes the access log line of a request answered in took.
func logRequest(r *http.Request, log *slog.Logger, rec *recorder, info *requestInfo, took time.Duration) {
	level := slog.LevelInfo
	if rec.statusCode() >= 500 {
		level = slog.LevelWarn
	}
	if !log.Enabled(r.Context(), level) {
		return
	}
	// Room for every attribute, so that the slice stays on the stack (appending past a literal's
	// five grew it on the heap at each request).
	attrs := append(make([]slog.Attr, 0, 7),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", rec.statusCode()),
		slog.Duration("duration", took),
		slog.Int64("bytes", rec.bytes),
	)
	if info.route != nil {
		// The service's own line of an in-process call is at debug level when it succeeds
		// (grpcserver's logInterceptor): this line is the request's, so it names the method.
		attrs = append(attrs, slog.String("rpc", info.route.fullMethod()))
	}
	if info.hasGRPCCode {
		attrs = append(attrs, slog.String("grpc_code", code.Code(info.grpcCode).String()))
	}
	log.LogAttrs(r.Context(), level, "http request", attrs...)
}

// recorder notes the status and the size of a response.
type recorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	bytes       int64
}

func (r *recorder) WriteHeader(code int) {
	if !r.wroteHeader && code >= 200 { // 1xx are informational, the real status follows
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = http.StatusOK, true
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) statusCode() int {
	if !r.wroteHeader {
		return http.StatusOK
	}
	return r.status
}

// Unwrap lets http.ResponseController reach Flush and the deadlines of the real writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush keeps streaming responses streaming: grpc-gateway flushes through http.Flusher.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		if !r.wroteHeader {
			r.status, r.wroteHeader = http.StatusOK, true
		}
		f.Flush()
	}
}

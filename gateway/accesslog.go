package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/grpc/codes"
)

// requestInfo is what the handlers tell the access log about a request.
type requestInfo struct {
	grpcCode    codes.Code
	hasGRPCCode bool
	// route and pathParams are set once the mux has routed the request.
	route      *route
	pathParams map[string]string
}

type requestInfoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return info
}

// accessLog writes one line per request, and turns a panic into a 500 JSON error. It logs no
// header (the request id comes from the context, see withRequestID): never the Authorization
// header, and no query string, where filters may carry a SIRET or a name.
func accessLog(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{}
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info))
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
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", rec.statusCode()),
				slog.Duration("duration", time.Since(start)),
				slog.Int64("bytes", rec.bytes),
			}
			if info.hasGRPCCode {
				attrs = append(attrs, slog.String("grpc_code", code.Code(info.grpcCode).String()))
			}
			level := slog.LevelInfo
			if rec.statusCode() >= 500 {
				level = slog.LevelWarn
			}
			log.LogAttrs(r.Context(), level, "http request", attrs...)
		}()
		next.ServeHTTP(rec, r)
	})
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

package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
)

// errorDomain is the ErrorInfo domain of the errors the gateway makes itself; the same as
// platform/apierr.Domain, which the services use.
const errorDomain = "vif.gouv.fr"

// ErrorInfo reasons of the errors the gateway makes itself.
const (
	ReasonRouteNotFound      = "ROUTE_NOT_FOUND"
	ReasonMethodNotAllowed   = "METHOD_NOT_ALLOWED"
	ReasonBadPath            = "BAD_PATH"
	ReasonBodyTooLarge       = "REQUEST_BODY_TOO_LARGE"
	ReasonMalformedJSON      = "MALFORMED_JSON"
	ReasonUnreadableBody     = "UNREADABLE_BODY"
	ReasonInternal           = "INTERNAL"
	ReasonServiceUnavailable = "SERVICE_UNAVAILABLE"
)

// errorBody is the Google JSON error shape (https://cloud.google.com/apis/design/errors#http_mapping).
type errorBody struct {
	Error errorStatus `json:"error"`
}

type errorStatus struct {
	Code    int               `json:"code"`    // the HTTP status
	Status  string            `json:"status"`  // the google.rpc.Code name, e.g. INVALID_ARGUMENT
	Message string            `json:"message"` // for developers, in English
	Details []json.RawMessage `json:"details,omitempty"`
}

// httpStatus is grpc-gateway's mapping except for FailedPrecondition: grpc-gateway makes it a 400,
// but the services return it for a stale etag or a state that forbids the change (deleting an
// organisation that still has members), which HTTP clients know as 409 Conflict. Aborted
// (a concurrent write lost) is 409 in grpc-gateway already.
func httpStatus(c codes.Code) int {
	switch c {
	case codes.FailedPrecondition, codes.Aborted:
		return http.StatusConflict
	}
	return runtime.HTTPStatusFromCode(c)
}

// errorHandler writes every error of a gRPC call, and of grpc-gateway's own decoding, in the
// Google JSON error shape.
func errorHandler(log *slog.Logger, audit *edgeAudit) runtime.ErrorHandlerFunc {
	return func(ctx context.Context, _ *runtime.ServeMux, _ runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
		if probeFrom(ctx) != nil {
			return
		}
		st, code := statusOf(err)
		if decodingError(err, st) {
			// grpc-gateway could not decode the request (a malformed %-escape in the path, a
			// oneof given twice): its message shows the library ("proto: …", "strconv…").
			log.DebugContext(ctx, "request refused by the decoder", "method", r.Method, "path", r.URL.Path, "err", st.Message())
			st = withInfo(codes.InvalidArgument, ReasonMalformedRequest,
				"the request does not match the method's message (a field given twice, or a malformed %-escape in the path)", nil)
			audit.rejected(r, st)
		}
		st = hideTransportError(ctx, log, r, st)
		code = preconditionStatus(ctx, st, code)
		writeStatus(w, r, code, st)
	}
}

// decodingError reports whether err comes from grpc-gateway rather than from a service: the
// services' errors always carry an ErrorInfo, grpc-gateway's decoding errors never do.
func decodingError(err error, st *status.Status) bool {
	var hse *runtime.HTTPStatusError
	if errors.As(err, &hse) {
		return hse.HTTPStatus == http.StatusBadRequest
	}
	return st.Code() == codes.InvalidArgument && len(st.Proto().GetDetails()) == 0
}

// statusOf is the status of err and the HTTP status to answer. A runtime.HTTPStatusError is how
// grpc-gateway asks for a status of its own (400 for a malformed %-sequence in the path).
func statusOf(err error) (*status.Status, int) {
	var hse *runtime.HTTPStatusError
	if errors.As(err, &hse) {
		return status.Convert(hse.Err), hse.HTTPStatus
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		// limitBody reads the body before grpc-gateway does, so this is only a safety net.
		return bodyTooLarge(mbe.Limit), http.StatusRequestEntityTooLarge
	}
	st := status.Convert(err)
	return st, httpStatus(st.Code())
}

// hideTransportError replaces the message of a server-side error that carries no detail (so was
// not made on purpose by a service, which always adds an ErrorInfo) with a generic one: such
// messages come from grpc-go's transport or from a bug, and may name internal addresses. The
// original goes to the log.
func hideTransportError(ctx context.Context, log *slog.Logger, r *http.Request, st *status.Status) *status.Status {
	switch st.Code() {
	case codes.Unknown, codes.Internal, codes.DataLoss, codes.Unavailable:
	default:
		return st
	}
	if len(st.Proto().GetDetails()) > 0 {
		return st
	}
	log.ErrorContext(ctx, "backend call failed", "method", r.Method, "path", r.URL.Path,
		"grpc_code", code.Code(st.Code()).String(), "err", st.Message())
	if st.Code() == codes.Unavailable {
		unavailable := withInfo(codes.Unavailable, ReasonServiceUnavailable, "the service is unavailable; retry later", nil)
		if d, err := unavailable.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(backendRetryDelay)}); err == nil {
			unavailable = d
		}
		return unavailable
	}
	return withInfo(st.Code(), ReasonInternal, "internal error", nil)
}

// routingErrorHandler answers a request no route matches in the same shape: 404 for an unknown
// path, 405 for a known path with another method, with the methods it takes in Allow
// (RFC 9110 §15.5.6).
func routingErrorHandler(ctx context.Context, mux *runtime.ServeMux, _ runtime.Marshaler, w http.ResponseWriter, r *http.Request, httpCode int) {
	if probeFrom(ctx) != nil {
		return
	}
	var st *status.Status
	switch httpCode {
	case http.StatusNotFound:
		st = routeNotFound(r)
	case http.StatusMethodNotAllowed:
		ms := allowed(mux, r)
		if len(ms) == 0 {
			// Only a route without a verb matched another method (POST /v1/vehicles/x:pdf
			// against GET /v1/{name=vehicles/*}): no method takes this path.
			writeStatus(w, r, http.StatusNotFound, routeNotFound(r))
			return
		}
		w.Header().Set("Allow", strings.Join(ms, ", "))
		st = withInfo(codes.Unimplemented, ReasonMethodNotAllowed, fmt.Sprintf("method %s is not allowed on %s", r.Method, r.URL.Path), nil)
	case http.StatusBadRequest:
		st = withInfo(codes.InvalidArgument, ReasonBadPath, "the request path must start with /", nil)
	default:
		st = withInfo(codes.Internal, ReasonInternal, "internal error", nil)
		httpCode = http.StatusInternalServerError
	}
	writeStatus(w, r, httpCode, st)
}

// withInfo is a status with an ErrorInfo detail of the gateway's domain.
func withInfo(c codes.Code, reason, msg string, metadata map[string]string) *status.Status {
	st := status.New(c, msg)
	if d, err := st.WithDetails(&errdetails.ErrorInfo{Reason: reason, Domain: errorDomain, Metadata: metadata}); err == nil {
		st = d
	}
	return st
}

// bodyTooLarge is the status of a body over the limit. It is INVALID_ARGUMENT, not
// RESOURCE_EXHAUSTED (grpc-go's choice for an oversize message): RESOURCE_EXHAUSTED reads as a
// quota or rate limit that waiting cures, and client libraries retry it; a body that is too large
// must be changed, not resent. The HTTP status is 413 all the same.
func bodyTooLarge(limit int64) *status.Status {
	return withInfo(codes.InvalidArgument, ReasonBodyTooLarge,
		fmt.Sprintf("the request body is larger than %d bytes", limit),
		map[string]string{"limitBytes": fmt.Sprint(limit)})
}

// writeStatus writes st as the Google JSON error with the HTTP status httpCode.
func writeStatus(w http.ResponseWriter, r *http.Request, httpCode int, st *status.Status) {
	if info := infoFrom(r.Context()); info != nil {
		info.grpcCode = st.Code()
		info.hasGRPCCode = true
	}
	body := errorBody{Error: errorStatus{
		Code:    httpCode,
		Status:  code.Code(st.Code()).String(),
		Message: st.Message(),
	}}
	for _, d := range st.Proto().GetDetails() {
		body.Error.Details = append(body.Error.Details, renderDetail(d))
	}
	buf, err := json.Marshal(body)
	if err != nil { // cannot happen: every field is a string, an int or valid JSON
		buf = []byte(`{"error":{"code":500,"status":"INTERNAL","message":"internal error"}}`)
		httpCode = http.StatusInternalServerError
	}

	h := w.Header()
	// A streaming call may have announced trailers before failing; this body has none.
	h.Del("Trailer")
	h.Del("Transfer-Encoding")
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", fmt.Sprint(len(buf)+1))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store") // a 404 now may be a 200 in a minute
	if delay, ok := retryDelay(st); ok {
		h.Set("Retry-After", strconv.FormatInt(int64(math.Ceil(delay.Seconds())), 10))
	}
	if st.Code() == codes.Unauthenticated {
		// RFC 6750 §3: no error code when the request had no credentials, invalid_token when it
		// had a token that was refused.
		if r.Header.Get("Authorization") == "" {
			h.Set("WWW-Authenticate", `Bearer`)
		} else {
			h.Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		}
	}
	w.WriteHeader(httpCode)
	_, _ = w.Write(append(buf, '\n'))
}

// backendRetryDelay is the retry hint of a backend the gateway cannot reach: its connections
// retry within a second (platform/grpcclient), so a restarted service answers the retry.
const backendRetryDelay = time.Second

// retryDelay is the delay of st's google.rpc.RetryInfo, which becomes the Retry-After header
// (whole seconds, at least 1).
func retryDelay(st *status.Status) (time.Duration, bool) {
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok && ri.GetRetryDelay() != nil {
			return max(ri.GetRetryDelay().AsDuration(), time.Second), true
		}
	}
	return 0, false
}

// detailJSON renders details in camelCase with their "@type", as the API renders messages.
var detailJSON = protojson.MarshalOptions{UseProtoNames: false}

// renderDetail renders a status detail with protojson. A detail whose type this binary does not
// link in cannot be expanded; it keeps its type and its bytes.
func renderDetail(d *anypb.Any) json.RawMessage {
	if b, err := detailJSON.Marshal(d); err == nil {
		return b
	}
	b, _ := json.Marshal(map[string]string{
		"@type": d.GetTypeUrl(),
		"value": base64.StdEncoding.EncodeToString(d.GetValue()),
	})
	return b
}
